import { signAppToken } from './app-jwt';
import { ProductApiError, type ProductApiErrorInit } from './errors';
import type { UserTokenProvider } from './oauth';
import type { Tenant } from '../tenants/types';
import { productUrl } from './product-url';
import type { CallIdentity, RequestOptions } from './types';

/**
 * How one product call is addressed and authorised: the transport strategy the pipeline takes.
 * The pipeline owns everything else (deadline, retries, breaker, bulkhead, rate-limit gate), so a
 * Connect call and a Forge call differ only here.
 */
export interface PreparedCall {
  url: URL;
  /** The `Authorization` header of one attempt (called once per attempt: app JWTs bind to it). */
  authorization(method: string, url: URL): Promise<string>;
}

export interface CallAuth {
  /** Resolved inside the call's deadline, once per call (so the current tenant is used). */
  prepare(path: string, opts: RequestOptions, signal: AbortSignal): Promise<PreparedCall>;
  /** The product answered 401: drop whatever cached credential was used. */
  unauthorized?(): Promise<void>;
}

/**
 * Connect: the tenant's baseUrl, a JWT with qsh signed with its shared secret ("as app"), or an
 * OAuth 2 bearer from the JWT-bearer grant ("as user").
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/
 */
export interface ConnectAuthDeps {
  appKey: string;
  resolveTenant: (clientKey: string) => Promise<Tenant | null>;
  isAllowedBaseUrl?: (baseUrl: string) => boolean;
  tokens: UserTokenProvider;
  now: () => number;
  appTokenTtlSeconds?: number;
}

export function connectAuth(deps: ConnectAuthDeps, clientKey: string, identity: CallIdentity, init: ProductApiErrorInit, callerSignal?: AbortSignal): CallAuth {
  return {
    async prepare(path, opts, signal) {
      const tenant = await deps.resolveTenant(clientKey);
      if (!tenant || tenant.uninstalledAt) throw new ProductApiError('not_installed', 'tenant unknown or uninstalled', init);
      if (deps.isAllowedBaseUrl && !deps.isAllowedBaseUrl(tenant.baseUrl)) {
        throw new ProductApiError('not_installed', 'tenant baseUrl is not an allowed product host', init);
      }
      const url = productUrl(tenant.baseUrl, path, opts.query, opts.siteRoot);
      const userToken =
        identity.kind === 'user' ? await deps.tokens.token(tenant, identity.accountId, identity.scopes, signal, callerSignal) : undefined;
      return {
        url,
        // A fresh app token per attempt: qsh binds it to this request, iat to this moment.
        authorization: async (method, u) =>
          userToken
            ? `Bearer ${userToken}`
            : `JWT ${await signAppToken({ appKey: deps.appKey, sharedSecret: tenant.sharedSecret, method, url: u, baseUrl: tenant.baseUrl, nowMs: deps.now(), ttlSeconds: deps.appTokenTtlSeconds })}`,
      };
    },
    async unauthorized() {
      if (identity.kind !== 'user') return;
      const tenant = await deps.resolveTenant(clientKey).catch(() => null);
      if (tenant) deps.tokens.invalidate(tenant, identity.accountId, identity.scopes);
    },
  };
}
