import type { z } from 'zod';
import type { RetryOptions } from './retry-delay';

/** Public request/response types of the product client. */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export type QueryValue = string | number | boolean;

export interface RequestOptions<T = unknown> {
  /** Default GET. */
  method?: HttpMethod;
  /** Appended to the path's own query; arrays repeat the name. Undefined values are skipped. */
  query?: Record<string, QueryValue | readonly QueryValue[] | undefined>;
  /**
   * The path is relative to the site's origin instead of the baseUrl's context path (an
   * endpoint outside Confluence's `/wiki`). The qsh is still computed against the baseUrl.
   */
  siteRoot?: boolean;
  /** Sent as JSON. */
  body?: unknown;
  /** Extra request headers; `authorization` cannot be set here. */
  headers?: Record<string, string>;
  /** Validates the response body (Zod at the boundary); a mismatch is `invalid_response`. */
  schema?: z.ZodType<T>;
  /**
   * POST and PATCH are never retried unless this is true (e.g. a permission check or a
   * search that only reads). GET/HEAD/PUT/DELETE/OPTIONS are idempotent already; `false`
   * turns their retries off.
   */
  idempotent?: boolean;
  /** This call's time budget in ms (default: the client's timeoutMs, env PRODUCT_API_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Absolute deadline (epoch ms) shared by several calls, e.g. a page's render budget. The earlier of the two wins. */
  deadline?: number;
  /** The caller's own cancellation (e.g. `req.signal`): ends the call with kind `aborted`. */
  signal?: AbortSignal;
  /** Per-call retry tuning; `false` for no retries. */
  retry?: Partial<RetryOptions> | false;
}

export interface ProductResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON (validated when a schema was given), text for non-JSON, undefined when empty. */
  body: T;
  /** HTTP attempts made, retries included. */
  attempts: number;
}

/** Who a call acts as. */
export type CallIdentity = { kind: 'app' } | { kind: 'user'; accountId: string; scopes: readonly string[] };

export interface ProductLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/**
 * Observes the client's traffic (metrics): every HTTP attempt, and every wait before a retry.
 * Called synchronously on the request path: keep it cheap and never throw.
 */
export interface ProductObserver {
  /** One attempt: the product's status, or the failure kind when no answer came back. */
  attempt?(e: { method: string; status?: number; error?: string; durationMs: number }): void;
  /**
   * A wait before a retry. `reason` is the product's `RateLimit-Reason` when it gave one (a
   * short lowercase token, else `other`), `status-429` or `status-503` otherwise.
   */
  retryWait?(e: { reason: string; status: number; delayMs: number }): void;
  /** An answer said `X-RateLimit-NearLimit: true`: the client eases off that endpoint. */
  nearLimit?(e: { method: string }): void;
  /** Pacing held a call back because a budget was spent: it waited `waitMs`, or was refused (not sent). */
  paced?(e: { limit: 'burst' | 'issue' | 'site' | 'app'; waitMs: number; refused: boolean }): void;
}
