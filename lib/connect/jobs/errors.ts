/**
 * How a job handler tells the queue what a failure means. Anything else thrown is a failure:
 * retried with backoff until the queue's maxAttempts, then kept as dead.
 */

/**
 * Not a failure: run again at `at` (epoch ms), e.g. when the product said `Retry-After` or
 * `X-RateLimit-Reset`. The run does not count towards maxAttempts, and a coalesced enqueue never
 * pulls the job earlier than `at`.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    readonly at: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * A RetryLaterError because the product is rate limiting (`limit`: which of its limits). Its name
 * starts the job's `lastError` (see {@link deferredByRateLimit}), so whoever reads the queue can
 * tell "waiting for Jira's reset" from "failing".
 */
export class RateLimitDeferral extends RetryLaterError {
  override name = 'RateLimitDeferral';
  constructor(
    at: number,
    readonly limit: 'burst' | 'issue' | 'site' | 'app',
    reason: string,
  ) {
    super(at, reason);
  }
}

/** Whether a waiting job's last run was deferred by a product rate limit (from its `lastError`). */
export function deferredByRateLimit(job: { status: string; lastError: string | null }): boolean {
  return (job.status === 'pending' || job.status === 'running') && !!job.lastError?.startsWith('RateLimitDeferral: ');
}

/** Retrying cannot help (the request is wrong, the app lacks a scope): the job goes dead now. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** The job's reason for a log line or the `lastError` column: short, no stack, no secrets. */
export function describeJobError(err: unknown): string {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return msg.slice(0, 500);
}
