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

export function createApiClient(boot: Bootstrap) {
  let useContextJwt = false;

  async function send(method: string, path: string, body: unknown, auth: string): Promise<Response> {
    return fetch(path, {
      method,
      headers: {
        authorization: auth,
        'x-connect-locale': boot.locale,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    });
  }

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response | undefined;
    if (!useContextJwt) {
      res = await send(method, path, body, `Bearer ${boot.sessionToken}`);
      if (res.status === 401) useContextJwt = true;
    }
    if (useContextJwt) {
      const token = await contextToken();
      if (!token) throw new ApiError(401, { error: { code: 'SESSION_EXPIRED', message: 'Session expired' } });
      res = await send(method, path, body, `JWT ${token}`);
    }
    const text = await res!.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res!.ok) throw new ApiError(res!.status, (json ?? {}) as ApiErrorBody);
    return json as T;
  }

  return {
    get: <T>(path: string) => request<T>('GET', path),
    post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
    del: (path: string) => request<void>('DELETE', path),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** A GET the page started before React loaded (see the shell's prefetch script), if any. */
export function takePrefetched<T>(key: string): Promise<{ status: number; body: T }> | undefined {
  const w = window as unknown as { __appPrefetch?: Record<string, Promise<{ status: number; body: T }> | undefined> };
  const p = w.__appPrefetch?.[key];
  if (w.__appPrefetch) delete w.__appPrefetch[key];
  return p;
}
