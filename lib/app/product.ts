import 'server-only';
import { SignJWT } from 'jose';
import { ConnectError } from '@/lib/connect/errors';
import { computeQsh } from '@/lib/connect/qsh';
import type { Tenant } from '@/lib/connect/tenants/types';
import { env } from '@/lib/env';

/**
 * The small slice of the product REST API the reference app needs, as a port: the checklist,
 * settings and license code depend on this interface, not on an HTTP client. The adapter below
 * is deliberately minimal (HS256 app JWT with qsh, one deadline, no retries); the resilient
 * client of lib/connect/product replaces it here without touching the callers.
 */
export interface ProductPort {
  /**
   * Calls the tenant's product as the app. Resolves with any HTTP answer (the caller decides
   * what a 404 means); rejects with PRODUCT_UNAVAILABLE when there was no usable answer.
   */
  asApp<T>(tenant: Tenant, path: string, opts?: { method?: 'GET' | 'POST'; query?: Record<string, string>; body?: unknown }): Promise<{ status: number; body: T | undefined }>;
}

export function createFetchProductPort(opts: { appKey: string; timeoutMs: number; fetch?: typeof fetch }): ProductPort {
  const doFetch = opts.fetch ?? fetch;
  const key = (secret: string) => new TextEncoder().encode(secret);
  return {
    async asApp<T>(tenant: Tenant, path: string, o: { method?: 'GET' | 'POST'; query?: Record<string, string>; body?: unknown } = {}) {
      const method = o.method ?? 'GET';
      const url = new URL(tenant.baseUrl.replace(/\/+$/, '') + path);
      for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
      const iat = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({ qsh: computeQsh(method, url, tenant.baseUrl) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(opts.appKey)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 180)
        .sign(key(tenant.sharedSecret));
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers: { authorization: `JWT ${jwt}`, accept: 'application/json', ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
          signal: AbortSignal.timeout(opts.timeoutMs),
          redirect: 'error',
        });
      } catch (err) {
        throw new ConnectError('PRODUCT_UNAVAILABLE', `product call failed: ${method} ${url.pathname}: ${(err as Error).name}`, { cause: err });
      }
      if (res.status >= 500 || res.status === 429) {
        await res.body?.cancel();
        throw new ConnectError('PRODUCT_UNAVAILABLE', `product answered ${res.status} to ${method} ${url.pathname}`);
      }
      const text = await res.text();
      let body: T | undefined;
      try {
        body = text ? (JSON.parse(text) as T) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body };
    },
  };
}

let port: ProductPort | undefined;

/** The process's product port. */
export function productPort(): ProductPort {
  port ??= createFetchProductPort({ appKey: env().APP_KEY, timeoutMs: env().PRODUCT_API_TIMEOUT_MS });
  return port;
}
