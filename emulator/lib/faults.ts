import type { ServerResponse } from 'node:http';
import { sendJson, sleep } from './http';
import { defaultLimitFor, isRateLimitReason, RATE_LIMITED_BODY, refusalHeaders, type Refusal } from './rate-limits/headers';
import type { Faults, RateLimitFault } from './state';

/**
 * Fault injection for the product's REST and OAuth endpoints: added latency, a share of 503s,
 * a share of 429s with Retry-After (and Jira's X-RateLimit headers), closed connections, and
 * "the next N calls fail" for deterministic retry tests, and a 429 of one documented kind
 * (`rateLimit`: burst, per-issue write or quota, with the headers enforcement sends). Pages, AP.js and the control API are
 * never affected, so a person can still turn faults off.
 */

export type FaultKind = '503' | '429' | 'refuse';

/** Which fault, if any, hits this call. Mutates `failNext`. */
export function pickFault(f: Faults, path: string, random: () => number = Math.random): FaultKind | undefined {
  if (f.pathPrefix && !path.startsWith(f.pathPrefix)) return undefined;
  if (f.failNext > 0) {
    f.failNext--;
    return f.failNextKind;
  }
  if (f.refuse) return 'refuse';
  if (f.errorRate > 0 && random() < f.errorRate) return '503';
  if (f.rateLimitRate > 0 && random() < f.rateLimitRate) return '429';
  return undefined;
}

export function affected(f: Faults, path: string): boolean {
  return !f.pathPrefix || path.startsWith(f.pathPrefix);
}

/**
 * Reads `rateLimit` of a faults body: `{ reason, retryAfterSeconds?, path?, times?, limit? }`,
 * null/false to clear, undefined when absent. Throws on a reason Jira does not send.
 */
export function parseRateLimitFault(v: unknown): RateLimitFault | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === false) return null;
  const o = (typeof v === 'object' ? v : {}) as Record<string, unknown>;
  if (!isRateLimitReason(o.reason)) throw new Error(`rateLimit.reason must be one of Jira's RateLimit-Reason values`);
  const int = (x: unknown, min: number, max: number) => (typeof x === 'number' && Number.isFinite(x) ? Math.min(max, Math.max(min, Math.floor(x))) : undefined);
  const limit = int(o.limit, 1, 10_000_000);
  return {
    reason: o.reason,
    retryAfterSeconds: int(o.retryAfterSeconds, 0, 3600) ?? 2,
    path: typeof o.path === 'string' ? o.path : '',
    times: int(o.times, 1, 1000) ?? null,
    ...(limit ? { limit } : {}),
  };
}

/** The rate-limit fault hitting this call, if any. Counts down `times` (cleared at 0). */
export function pickRateLimitFault(f: Faults, path: string): Refusal | undefined {
  const r = f.rateLimit;
  if (!r || !path.startsWith(r.path)) return undefined;
  if (r.times !== null && --r.times <= 0) f.rateLimit = null;
  return { reason: r.reason, retryAfterSeconds: r.retryAfterSeconds, limit: r.limit ?? defaultLimitFor(r.reason) };
}

/**
 * Applies latency, then answers with the fault. Returns the fault applied (the response is
 * then finished or the socket closed), or undefined when the call proceeds normally.
 */
export async function injectFault(f: Faults, path: string, res: ServerResponse, now: number = Date.now()): Promise<FaultKind | undefined> {
  if (f.latencyMs > 0 && affected(f, path)) await sleep(f.latencyMs);
  const limited = pickRateLimitFault(f, path);
  if (limited) {
    sendJson(res, 429, RATE_LIMITED_BODY, refusalHeaders(limited, now));
    return '429';
  }
  const kind = pickFault(f, path);
  if (!kind) return undefined;
  if (kind === 'refuse') {
    res.socket?.destroy();
    return kind;
  }
  if (kind === '429') {
    sendJson(res, 429, RATE_LIMITED_BODY, refusalHeaders({ reason: 'jira-quota-tenant-based', retryAfterSeconds: f.retryAfterSeconds, limit: 100 }, now));
    return kind;
  }
  sendJson(res, 503, { errorMessages: ['Service unavailable (emulated fault).'], errors: {} }, { 'retry-after': f.retryAfterSeconds });
  return kind;
}
