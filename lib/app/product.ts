import 'server-only';
import { isAllowedProductUrl } from '@/lib/connect/hosts';
import { createProductClient, isProductApiError, productErrorToConnectError, type ProductClientOptions, type ProductClient } from '@/lib/connect/product';
import type { Tenant } from '@/lib/connect/tenants/types';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { runtime } from './connect';

/**
 * The slice of the product REST API the reference app needs, as a port: the checklist,
 * settings and license code depend on this interface, not on an HTTP client (their tests can
 * fake it). The adapter runs over lib/connect/product's resilient client: deadline, Atlassian's
 * retry algorithm, per-site circuit breaker and bulkhead.
 */
export interface ProductPort {
  /**
   * Calls the tenant's product as the app. Resolves with the product's answer for 2xx and
   * 4xx (the caller decides what a 404 means); rejects with a ConnectError
   * (PRODUCT_UNAVAILABLE, RATE_LIMITED…) when there was no usable answer.
   */
  asApp<T>(tenant: Tenant, path: string, opts?: { method?: 'GET' | 'POST'; query?: Record<string, string>; body?: unknown }): Promise<{ status: number; body: T | undefined }>;
}

export function clientPort(client: ProductClient): ProductPort {
  return {
    async asApp<T>(tenant: Tenant, path: string, o: { method?: 'GET' | 'POST'; query?: Record<string, string>; body?: unknown } = {}) {
      try {
        // Every call the app makes here only reads (a permission check is a POST that reads).
        const r = await client.asApp(tenant.clientKey).request<T>(path, { method: o.method ?? 'GET', query: o.query, body: o.body, idempotent: true });
        return { status: r.status, body: r.body };
      } catch (err) {
        if (!isProductApiError(err)) throw err;
        if ((err.kind === 'http' || err.kind === 'auth') && err.status && err.status < 500) return { status: err.status, body: undefined };
        throw productErrorToConnectError(err);
      }
    },
  };
}

const g = globalThis as unknown as { __productClient?: ProductClient; __productPort?: ProductPort };

/** The app's product-client settings (deadline, breaker, bulkhead) from the validated env. */
export function productClientOptions(resolveTenant: ProductClientOptions['resolveTenant']): ProductClientOptions {
  const e = env();
  return {
    appKey: e.APP_KEY,
    resolveTenant,
    authServerUrl: e.OAUTH_AUTH_SERVER_URL,
    timeoutMs: e.PRODUCT_API_TIMEOUT_MS,
    breaker: { failureThreshold: e.PRODUCT_API_BREAKER_FAILURES, halfOpenAfterMs: e.PRODUCT_API_BREAKER_OPEN_MS },
    bulkhead: { maxConcurrent: e.PRODUCT_API_CONCURRENCY },
    isAllowedBaseUrl: (u) => isAllowedProductUrl(u, e.ALLOWED_PRODUCT_HOSTS),
    log: log(),
  };
}

/** The process's product client (one per process, shared by every tenant). */
export function productClient(): ProductClient {
  g.__productClient ??= createProductClient(productClientOptions(async (clientKey) => (await runtime().tenants.get(clientKey))?.tenant ?? null));
  return g.__productClient;
}

export function productPort(): ProductPort {
  g.__productPort ??= clientPort(productClient());
  return g.__productPort;
}
