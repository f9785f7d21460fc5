import { ConnectError } from '../errors';

/**
 * Why a product REST call failed. Stable values: panels branch on them to decide between
 * "show the last good value with a quiet notice" and "tell the user their action failed".
 *
 * - `timeout` — the call's deadline passed (slow site, or the queue for the site was long).
 * - `rate_limited` — 429 and no retry fitted in the deadline, or a rate-limit pause of this call's
 *   scope (learnt by any instance) ends after the deadline, so nothing was sent (see
 *   {@link ProductApiError.retryAfterMs} and {@link ProductApiError.limit}).
 * - `unavailable` — 502/503/504 and no retry fitted in the deadline.
 * - `circuit_open` — recent calls to this site kept failing: failed fast without calling it.
 * - `overloaded` — this site already has the maximum concurrent calls and a full queue.
 * - `network` — connection refused/reset, DNS failure: no HTTP response at all.
 * - `auth` — 401/403 from the product, or the OAuth token grant for a user was refused.
 * - `http` — any other non-2xx status (404, 400, 500...): see {@link ProductApiError.status}.
 * - `invalid_response` — 2xx but the body is not what the schema expects.
 * - `not_installed` — the tenant is unknown or uninstalled; nothing was sent.
 * - `aborted` — the caller's own AbortSignal fired.
 */
export type ProductErrorKind =
  | 'timeout'
  | 'rate_limited'
  | 'unavailable'
  | 'circuit_open'
  | 'overloaded'
  | 'network'
  | 'auth'
  | 'http'
  | 'invalid_response'
  | 'not_installed'
  | 'aborted';

const TRANSIENT: ReadonlySet<ProductErrorKind> = new Set([
  'timeout',
  'rate_limited',
  'unavailable',
  'circuit_open',
  'overloaded',
  'network',
]);

export interface ProductApiErrorInit {
  status?: number;
  retryAfterMs?: number;
  method?: string;
  /** Request path without the query string (queries can carry accountIds). */
  path?: string;
  clientKey?: string;
  attempts?: number;
  /** `errorMessages` of a Jira/Confluence error body, when it had any. */
  productMessages?: string[];
  /** `rate_limited`: which limit (see rate-limits.ts): one endpoint, one issue, the site, or every site. */
  limit?: 'burst' | 'issue' | 'site' | 'app';
  cause?: unknown;
}

/**
 * The one error type of the product client. Never carries a token, a secret or a response
 * body beyond the product's own `errorMessages`.
 */
export class ProductApiError extends Error {
  override name = 'ProductApiError';
  readonly kind: ProductErrorKind;
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;
  /** What the product asked us to wait (Retry-After), in milliseconds, when it said. */
  readonly retryAfterMs?: number;
  readonly method?: string;
  readonly path?: string;
  readonly clientKey?: string;
  /** How many HTTP attempts were made (0 when failed fast). */
  readonly attempts: number;
  readonly productMessages?: string[];
  /** `rate_limited`: which limit was hit (one endpoint, one issue, the site, or every site of the app). */
  readonly limit?: 'burst' | 'issue' | 'site' | 'app';

  constructor(kind: ProductErrorKind, message: string, init: ProductApiErrorInit = {}) {
    super(message, { cause: init.cause });
    this.kind = kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.path = init.path;
    this.clientKey = init.clientKey;
    this.attempts = init.attempts ?? 0;
    this.productMessages = init.productMessages;
    this.limit = init.limit;
  }

  /**
   * True when the product (or the way to it) is slow, down or busy — the caller did nothing
   * wrong and a later call may succeed. Panels render cached data with a notice in this case.
   */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }

  /** A copy with attempt bookkeeping filled in by the pipeline. */
  with(init: Partial<ProductApiErrorInit>): ProductApiError {
    return new ProductApiError(this.kind, this.message, {
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      path: this.path,
      clientKey: this.clientKey,
      attempts: this.attempts,
      productMessages: this.productMessages,
      limit: this.limit,
      cause: this.cause,
      ...init,
    });
  }

  /** Structured fields for a log line (no secrets, no query strings). */
  toLog(): Record<string, unknown> {
    return {
      kind: this.kind,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      path: this.path,
      clientKey: this.clientKey,
      attempts: this.attempts,
      ...(this.limit ? { limit: this.limit } : {}),
    };
  }
}

export function isProductApiError(err: unknown): err is ProductApiError {
  return err instanceof ProductApiError;
}

/**
 * Maps a product failure to the app's own error codes, for route handlers that let it
 * propagate: transient failures become 503 (429 stays 429), a 404 stays a 404, anything
 * else is the app's problem, not the iframe's (502-ish, reported as PRODUCT_UNAVAILABLE).
 */
export function productErrorToConnectError(err: ProductApiError): ConnectError {
  const detail = `product call failed: ${err.kind}${err.status ? ` ${err.status}` : ''} ${err.method ?? ''} ${err.path ?? ''}`.trim();
  if (err.kind === 'rate_limited') return new ConnectError('RATE_LIMITED', detail, { cause: err });
  if (err.kind === 'http' && err.status === 404) return new ConnectError('NOT_FOUND', detail, { cause: err });
  if (err.kind === 'not_installed') return new ConnectError('TENANT_UNINSTALLED', detail, { cause: err });
  return new ConnectError('PRODUCT_UNAVAILABLE', detail, { cause: err });
}
