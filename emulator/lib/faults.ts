import type { ServerResponse } from 'node:http';
import { sendJson, sleep } from './http';
import type { Faults } from './state';

/**
 * Fault injection for the product's REST and OAuth endpoints: added latency, a share of 503s,
 * a share of 429s with Retry-After (and Jira's X-RateLimit headers), closed connections, and
 * "the next N calls fail" for deterministic retry tests. Pages, AP.js and the control API are
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
 * Applies latency, then answers with the fault. Returns the fault applied (the response is
 * then finished or the socket closed), or undefined when the call proceeds normally.
 */
export async function injectFault(f: Faults, path: string, res: ServerResponse): Promise<FaultKind | undefined> {
  if (f.latencyMs > 0 && affected(f, path)) await sleep(f.latencyMs);
  const kind = pickFault(f, path);
  if (!kind) return undefined;
  if (kind === 'refuse') {
    res.socket?.destroy();
    return kind;
  }
  if (kind === '429') {
    const reset = new Date(Date.now() + f.retryAfterSeconds * 1000).toISOString();
    sendJson(res, 429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, {
      'retry-after': f.retryAfterSeconds,
      'x-ratelimit-limit': 100,
      'x-ratelimit-remaining': 0,
      'x-ratelimit-reset': reset,
      'ratelimit-reason': 'jira-quota-tenant-based',
    });
    return kind;
  }
  sendJson(res, 503, { errorMessages: ['Service unavailable (emulated fault).'], errors: {} }, { 'retry-after': f.retryAfterSeconds });
  return kind;
}
