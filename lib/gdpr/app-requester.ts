import 'server-only';
import { SignJWT } from 'jose';
import { computeQsh } from '@/lib/connect/qsh';
import type { Tenant } from '@/lib/connect/tenants/types';

/**
 * What the data jobs need from the product REST client: one request to a site, as the app
 * (Connect JWT). The product client (lib/connect/product, issue 5) is meant to provide this with
 * retries and rate-limit handling; until it lands, `jwtAppRequester` below is a minimal one.
 */
export interface AppRequest {
  method: 'GET' | 'POST';
  /** Path relative to the site's baseUrl (e.g. `/rest/api/3/user`), without query. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

export type AppRequester = (tenant: Tenant, req: AppRequest) => Promise<Response>;

/**
 * HS256 with the site's shared secret: `iss` = app key, `iat`, `exp` (3 minutes), `qsh` of this
 * exact request relative to the site's baseUrl; sent as `Authorization: JWT` (Atlassian refuses
 * `?jwt=` on REST calls). https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/
 */
export function jwtAppRequester(opts: { appKey: string; timeoutMs: number; now?: () => Date }): AppRequester {
  return async (tenant, req) => {
    const url = new URL(`${tenant.baseUrl.replace(/\/+$/, '')}${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const iat = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
    const token = await new SignJWT({ qsh: computeQsh(req.method, url, tenant.baseUrl) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(opts.appKey)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 180)
      .sign(new TextEncoder().encode(tenant.sharedSecret));
    const headers: Record<string, string> = { authorization: `JWT ${token}`, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
  };
}
