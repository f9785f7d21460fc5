/**
 * Delay before a failed job's next run: exponential from `baseMs`, capped at `maxMs`, times a
 * jitter factor in [0.7, 1.3] so many jobs failing together (a site down) do not come back
 * together. The same shape as Atlassian's published client algorithm for product calls
 * (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/), stretched for work
 * that may wait minutes rather than a request that waits seconds.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  factor: number;
  /** Jitter span: the delay is multiplied by a factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 10 * 60_000, factor: 2, jitter: 0.3 };

/** `failures` ≥ 1: the number of failed runs so far, this one included. */
export function backoffDelayMs(failures: number, opts: BackoffOptions, random: () => number): number {
  const exp = opts.baseMs * opts.factor ** Math.max(0, failures - 1);
  const capped = Math.min(opts.maxMs, Number.isFinite(exp) ? exp : opts.maxMs);
  const factor = 1 - opts.jitter + 2 * opts.jitter * random();
  return Math.max(0, Math.round(capped * factor));
}
