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

/** Retrying cannot help (the request is wrong, the app lacks a scope): the job goes dead now. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** The job's reason for a log line or the `lastError` column: short, no stack, no secrets. */
export function describeJobError(err: unknown): string {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return msg.slice(0, 500);
}
