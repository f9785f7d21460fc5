/**
 * Jira's rate-limit answers, as "Rate limiting" documents them ("Rate limit related headers",
 * "Detecting rate limits"): https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 *
 * A 429 carries `Retry-After` (seconds), `X-RateLimit-Reset` (ISO 8601, "when the current window
 * resets"), `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `RateLimit-Reason`. A successful
 * answer may carry `X-RateLimit-Limit`/`-Remaining`, and `X-RateLimit-NearLimit: true` when less
 * than 20 % of the quota remains ("Not used for request rate limiting", so never for the burst
 * or per-issue limits), plus the structured `RateLimit-Policy`/`RateLimit` headers
 * (`"global-app-quota";q=65000;w=3600` and `"global-app-quota";r=11000;t=600`, `r` only once
 * near the limit).
 */

export const RATE_LIMIT_REASONS = [
  'jira-quota-global-based',
  'jira-quota-tenant-based',
  'jira-burst-based',
  'jira-per-issue-on-write',
  // Confluence's quota reasons: not on Jira's page; named after the Jira ones as partners report them (unconfirmed).
  'confluence-quota-global-based',
  'confluence-quota-tenant-based',
] as const;
export type RateLimitReason = (typeof RATE_LIMIT_REASONS)[number];

export function isRateLimitReason(v: unknown): v is RateLimitReason {
  return (RATE_LIMIT_REASONS as readonly unknown[]).includes(v);
}

/** Atlassian's examples print seconds without milliseconds: `2026-01-01T01:01:01Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const RATE_LIMITED_BODY = { errorMessages: ['Rate limit exceeded.'], errors: {} };

export interface Refusal {
  reason: RateLimitReason;
  retryAfterSeconds: number;
  limit: number;
  /** When the window resets (ms since epoch); default now + Retry-After. */
  resetAt?: number;
}

/** The headers of a 429. */
export function refusalHeaders(r: Refusal, now: number): Record<string, string | number> {
  const retryAfter = Math.max(0, Math.ceil(r.retryAfterSeconds));
  return {
    'retry-after': retryAfter,
    'x-ratelimit-limit': r.limit,
    'x-ratelimit-remaining': 0,
    'x-ratelimit-reset': isoSeconds(r.resetAt ?? now + retryAfter * 1000),
    'ratelimit-reason': r.reason,
  };
}

/** The documented default limit a fault of this kind reports in `X-RateLimit-Limit`. */
export function defaultLimitFor(reason: RateLimitReason): number {
  if (reason === 'jira-burst-based') return 100;
  if (reason === 'jira-per-issue-on-write') return 20;
  return 65_000;
}

/** One entry of the structured `RateLimit-Policy` / `RateLimit` headers. */
export interface PolicyEntry {
  name: 'global-app-quota' | 'tenant-app-quota' | 'jira-burst-based';
  quota: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
  /** Whether `r=` is included (the quota sends it only when near the limit). */
  showRemaining: boolean;
}

export function policyHeaders(entries: PolicyEntry[]): Record<string, string> {
  if (entries.length === 0) return {};
  return {
    'ratelimit-policy': entries.map((e) => `"${e.name}";q=${e.quota};w=${e.windowSeconds}`).join(','),
    ratelimit: entries.map((e) => `"${e.name}";${e.showRemaining ? `r=${Math.max(0, Math.floor(e.remaining))};` : ''}t=${Math.max(0, Math.ceil(e.resetSeconds))}`).join(','),
  };
}
