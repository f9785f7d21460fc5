import { isProductApiError } from '../product/errors';
import { PermanentJobError, RetryLaterError } from './errors';

/**
 * What a failed product call means for a background job:
 * - the product said when to come back (429, or a 503 with `Retry-After`): run again then,
 *   without counting a failure. Retrying earlier gets the same or a longer wait
 *   (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/);
 * - slow, down, busy, circuit open: a failure, retried with backoff;
 * - the site is gone, or the product refused the request itself (400, 403: wrong input or a
 *   missing scope): retrying cannot help.
 * A 404 is the caller's to interpret (an issue deleted meanwhile is often success).
 */
export function jobErrorForProductFailure(err: unknown, now: number): unknown {
  if (!isProductApiError(err)) return err;
  if ((err.kind === 'rate_limited' || err.kind === 'unavailable') && err.retryAfterMs !== undefined) {
    return new RetryLaterError(now + err.retryAfterMs, `product ${err.kind} (${err.status ?? '-'}), retry after ${err.retryAfterMs} ms`);
  }
  if (err.kind === 'not_installed') return new PermanentJobError('the site is no longer installed');
  if ((err.kind === 'http' || err.kind === 'auth') && (err.status === 400 || err.status === 403)) {
    return new PermanentJobError(`product refused the request: ${err.status} ${err.method ?? ''} ${err.path ?? ''}`.trim());
  }
  return err;
}
