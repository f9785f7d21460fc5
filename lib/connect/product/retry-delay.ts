/**
 * Atlassian's published retry algorithm for Jira/Confluence Cloud REST calls ("Rate limiting",
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ — "Implementing retry
 * logic" and its response-handling pseudo code):
 *
 *   maxRetries = 4 (0 for non-idempotent requests), lastRetryDelayMillis = 5000,
 *   maxRetryDelayMillis = 30000, jitterMultiplierRange = [0.7, 1.3];
 *   with Retry-After: delay = Retry-After × 1000; else delay = min(2 × lastRetryDelay, max);
 *   then the delay is multiplied by a random factor from the jitter range.
 *
 * Two points the pseudo code leaves open, settled here as the prose of the same page says:
 * - the exponential delay doubles on each retry (the pseudo code never updates
 *   `lastRetryDelayMillis`); with the defaults: 10 s, 20 s, 30 s, 30 s before jitter;
 * - Retry-After is a minimum ("use the Retry-After header value as the minimum delay"; a
 *   request reissued earlier "will fail and return the same or longer Retry-After period"), so
 *   its jitter factor is drawn from the part of the range at or above 1 ([1, 1.3]).
 */
export interface RetryOptions {
  /** Retries after the first attempt for idempotent requests. Atlassian: 4. */
  maxRetries: number;
  /** Atlassian's `lastRetryDelayMillis`: the first backoff is twice this. Atlassian: 5000. */
  baseDelayMs: number;
  /** Cap of the exponential delay before jitter. Atlassian: 30000. */
  maxDelayMs: number;
  /** Jitter multiplier range. Atlassian: [0.7, 1.3]. */
  jitter: readonly [number, number];
}

export const ATLASSIAN_RETRY: Readonly<RetryOptions> = Object.freeze({
  maxRetries: 4,
  baseDelayMs: 5_000,
  maxDelayMs: 30_000,
  jitter: [0.7, 1.3] as const,
});

/** Statuses Atlassian documents as retryable: 429, and 503 (some carry Retry-After). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Methods that are idempotent by HTTP semantics (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * Parses Retry-After: delta-seconds (what Jira sends) or an HTTP date. Returns milliseconds,
 * or undefined when absent or unparseable (then the exponential delay applies).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * The delay before retry number `retry` (1 = first retry), in milliseconds.
 * `random` returns a number in [0, 1) (Math.random by default; injectable for tests).
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  opts: RetryOptions = ATLASSIAN_RETRY,
  random: () => number = Math.random,
): number {
  const [low, high] = opts.jitter;
  if (retryAfterMs !== undefined) {
    const floor = Math.max(1, low);
    const factor = floor + random() * Math.max(0, high - floor);
    return Math.round(retryAfterMs * factor);
  }
  const base = Math.min(opts.baseDelayMs * 2 ** Math.max(1, retry), opts.maxDelayMs);
  return Math.round(base * (low + random() * (high - low)));
}
