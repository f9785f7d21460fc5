import { ProductApiError, type ProductApiErrorInit, type ProductErrorKind } from './errors';

/** Small HTTP helpers shared by the REST pipeline and the OAuth token grant. */

export type FetchLike = (input: URL | string, init: RequestInit) => Promise<Response>;

/** Responses larger than this are refused rather than buffered (a panel never needs more). */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Reads the body with a size cap; a response over the cap is an `invalid_response`. */
export async function readBody(res: Response, maxBytes: number, init: ProductApiErrorInit): Promise<RawResponse> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ProductApiError('invalid_response', `response of ${declared} bytes exceeds ${maxBytes}`, { ...init, status: res.status });
  }
  const text = await res.text();
  if (Buffer.byteLength(text) > maxBytes) {
    throw new ProductApiError('invalid_response', `response exceeds ${maxBytes} bytes`, { ...init, status: res.status });
  }
  return { status: res.status, headers: res.headers, text };
}

/** The error kind for a non-2xx status. */
export function kindForStatus(status: number): ProductErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  return 'http';
}

/**
 * Classifies something fetch threw: our deadline (`timeout`), the caller's signal (`aborted`)
 * or the network (`network`: refused, reset, DNS). The message never includes the URL's query.
 */
export function thrownToError(err: unknown, callerSignal: AbortSignal | undefined, init: ProductApiErrorInit): ProductApiError {
  if (err instanceof ProductApiError) return err;
  if (callerSignal?.aborted) return new ProductApiError('aborted', 'the caller aborted the call', { ...init, cause: err });
  const name = (err as { name?: string } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError' || (err as { isTaskCancelledError?: boolean })?.isTaskCancelledError) {
    return new ProductApiError('timeout', 'deadline exceeded', { ...init, cause: err });
  }
  const code = (err as { cause?: { code?: string } } | null)?.cause?.code;
  return new ProductApiError('network', `request failed${code ? ` (${code})` : ''}`, { ...init, cause: err });
}

/** Jira and Confluence error bodies: `{ errorMessages: string[], errors: {...} }` or `{ message }`. */
export function productMessages(text: string): string[] | undefined {
  if (!text || text.length > 64 * 1024) return undefined;
  try {
    const body = JSON.parse(text) as { errorMessages?: unknown; message?: unknown };
    const list = Array.isArray(body.errorMessages) ? body.errorMessages : typeof body.message === 'string' ? [body.message] : [];
    const out = list.filter((m): m is string => typeof m === 'string').map((m) => m.slice(0, 300)).slice(0, 5);
    return out.length ? out : undefined;
  } catch {
    return undefined;
  }
}

/** Rejects once `signal` aborts; for racing work that does not take a signal itself. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
