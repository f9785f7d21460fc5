import { isProductApiError } from '../product/errors';
import { PermanentJobError, RateLimitDeferral, RetryLaterError } from './errors';

/** How long a rate-limited job waits when neither the product nor the shared state said (Jira's burst window). */
const RATE_LIMIT_FALLBACK_MS = 1_000;

/**
 * What a failed product call means for a background job:
 * - rate limited (a 429, or a pause the client knew of so it sent nothing): run again at the
 *   reset, never earlier, and never counted as a failure, however long the limit holds. The reset
 *   is the latest of what the error says (`Retry-After`), `pausedUntil` (what the shared
 *   rate-limit state knows, which also reads `X-RateLimit-Reset`) and a one-second floor.
 *   Retrying earlier gets the same or a longer wait
 *   (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/);
 * - the product said when to come back on a 503 (`Retry-After`): then, without counting a failure;
 * - slow, down, busy, circuit open: a failure, retried with backoff;
 * - the site is gone, or the product refused the request itself (400, 403: wrong input or a
 *   missing scope): retrying cannot help.
 * A 404 is the caller's to interpret (an issue deleted meanwhile is often success).
 */
export function jobErrorForProductFailure(err: unknown, now: number, known: { pausedUntil?: number | null } = {}): unknown {
  if (!isProductApiError(err)) return err;
  if (err.kind === 'rate_limited') {
    const at = Math.max(now + (err.retryAfterMs ?? 0), known.pausedUntil ?? 0, now + RATE_LIMIT_FALLBACK_MS);
    return new RateLimitDeferral(at, err.limit ?? 'burst', `product rate limited (${err.limit ?? 'burst'}${err.status ? `, ${err.status}` : ', nothing sent'}) until ${new Date(at).toISOString()}`);
  }
  if (err.kind === 'unavailable' && err.retryAfterMs !== undefined) {
    return new RetryLaterError(now + err.retryAfterMs, `product ${err.kind} (${err.status ?? '-'}), retry after ${err.retryAfterMs} ms`);
  }
  if (err.kind === 'not_installed') return new PermanentJobError('the site is no longer installed');
  if ((err.kind === 'http' || err.kind === 'auth') && (err.status === 400 || err.status === 403)) {
    return new PermanentJobError(`product refused the request: ${err.status} ${err.method ?? ''} ${err.path ?? ''}`.trim());
  }
  return err;
}
