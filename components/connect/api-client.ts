import type { Bootstrap } from './bootstrap';
import { contextToken } from './ap';

/**
 * The iframe's client for the app's JSON API. It sends the session token the page route
 * issued; once that expires (the issue stayed open a long time) it switches to a context JWT
 * from AP.context.getToken(). Never sends anything the server would trust for license or user.
 */
export interface ApiResult<T> {
  status: number;
  body: T;
}

export interface ApiErrorBody {
  error?: { code?: string; message?: string; issues?: { path: string; message: string }[] };
  current?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.error?.message ?? `HTTP ${status}`);
  }
  get code(): string | undefined {
    return this.body.error?.code;
  }
}

/**
 * A backstop, not a budget: the API answers within its render budget whatever the product
 * does, so only a hung connection to the app itself gets here, and it ends in the error
 * state with "Try again" rather than an endless spinner.
 */
const REQUEST_TIMEOUT_MS = 15_000;
/** Raw requests (an export download streams the whole site) get longer. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

export function createApiClient(boot: Bootstrap) {
  let useContextJwt = false;

  /**
   * A request with the page's authentication: the session token, then (once it has expired)
   * a context JWT. Answers the raw response, e.g. for a download.
   */
  async function authorized(path: string, init: RequestInit = {}): Promise<Response> {
    const send = (auth: string) =>
      fetch(path, {
        ...init,
        headers: { ...Object.fromEntries(new Headers(init.headers)), authorization: auth, 'x-connect-locale': boot.locale },
        credentials: 'omit',
        cache: 'no-store',
        signal: init.signal ?? AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      });
    if (!useContextJwt) {
      const res = await send(`Bearer ${boot.sessionToken}`);
      if (res.status !== 401) return res;
      useContextJwt = true;
    }
    const token = await contextToken();
    if (!token) return Response.json({ error: { code: 'SESSION_EXPIRED', message: 'Session expired' } }, { status: 401 });
    return send(`JWT ${token}`);
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await authorized(path, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) throw new ApiError(res.status, (json ?? {}) as ApiErrorBody);
    return json as T;
  }

  return {
    get: <T>(path: string) => request<T>('GET', path),
    post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
    del: (path: string) => request<void>('DELETE', path),
    fetch: authorized,
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * A GET the page started before React loaded (see the shell's prefetch script), if any. It
 * rejects after the same backstop as any request, so the caller falls back to its own GET.
 */
export function takePrefetched<T>(key: string): Promise<{ status: number; body: T }> | undefined {
  const w = window as unknown as { __appPrefetch?: Record<string, Promise<{ status: number; body: T }> | undefined> };
  const p = w.__appPrefetch?.[key];
  if (w.__appPrefetch) delete w.__appPrefetch[key];
  if (!p) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('prefetch timed out')), REQUEST_TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
