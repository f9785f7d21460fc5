import { SignJWT } from 'jose';
import { z } from 'zod';
import type { Tenant } from '../tenants/types';
import { ProductApiError } from './errors';
import { abortable, kindForStatus, productMessages, readBody, thrownToError, type FetchLike } from './http';

/**
 * Acting as a user: the OAuth 2.0 JWT bearer grant for Connect apps. The assertion is HS256
 * with the tenant's shared secret, `iss = urn:atlassian:connect:clientid:{oauthClientId}`,
 * `sub = urn:atlassian:connect:useraccountid:{accountId}`, `tnt` = the tenant's baseUrl and
 * `aud` = the authorization server; the access token is cached per (tenant, user, scopes)
 * until shortly before it expires, and concurrent callers share one grant.
 * https://developer.atlassian.com/cloud/jira/platform/oauth-2-jwt-bearer-token-authorization-grant-type/
 */

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const tokenResponse = z.object({
  access_token: z.string().min(1).max(8192),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
});

export interface UserTokenOptions {
  /** e.g. https://oauth-2-authorization-server.services.atlassian.com (env OAUTH_AUTH_SERVER_URL). */
  authServerUrl: string;
  fetch: FetchLike;
  now: () => number;
  /** Refresh this long before expiry, so a token never expires in flight. Default 60 s. */
  refreshSkewMs?: number;
  /** Lifetime of the signed assertion. Default 60 s. */
  assertionTtlSeconds?: number;
  maxEntries?: number;
  maxResponseBytes: number;
  /** Deadline of one grant, independent of any one caller's (callers share it). */
  grantTimeoutMs: number;
}

interface Entry {
  token: string;
  expiresAt: number;
}

/** Connect scopes as the grant expects them: upper case, space separated (sorted for the cache key). */
export function normaliseScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((s) => s.trim().toUpperCase()).filter(Boolean))].sort();
}

export class UserTokenProvider {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly authServer: string;

  constructor(private readonly opts: UserTokenOptions) {
    this.authServer = opts.authServerUrl.replace(/\/+$/, '');
  }

  /** A bearer token for `accountId` on `tenant` with `scopes`, from cache when still good. */
  async token(tenant: Tenant, accountId: string, scopes: readonly string[], signal: AbortSignal, callerSignal?: AbortSignal): Promise<string> {
    if (!tenant.oauthClientId) {
      throw new ProductApiError('auth', 'tenant has no oauthClientId: cannot act as a user', { clientKey: tenant.clientKey });
    }
    const normalised = normaliseScopes(scopes);
    const key = this.key(tenant, accountId, normalised);
    const hit = this.cache.get(key);
    const skew = this.opts.refreshSkewMs ?? 60_000;
    if (hit && hit.expiresAt - skew > this.opts.now()) return hit.token;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.grant(tenant, accountId, normalised).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    // A caller with a shorter deadline stops waiting without cancelling the shared grant.
    const entry = await abortable(pending, signal).catch((err: unknown) => {
      throw thrownToError(err, callerSignal, { clientKey: tenant.clientKey, method: 'POST', path: '/oauth2/token' });
    });
    this.remember(key, entry);
    return entry.token;
  }

  /** Drops a cached token (e.g. after the product answered 401 to it). */
  invalidate(tenant: Tenant, accountId: string, scopes: readonly string[]): void {
    this.cache.delete(this.key(tenant, accountId, normaliseScopes(scopes)));
  }

  /** Drops every token of a tenant (uninstall, secret rotation). */
  forgetTenant(clientKey: string): void {
    const prefix = `${clientKey}\n`;
    for (const k of this.cache.keys()) if (k.startsWith(prefix)) this.cache.delete(k);
  }

  // The baseUrl and oauthClientId are in the key: a token granted for the old site URL or a
  // previous installation is never reused after either changes.
  private key(tenant: Tenant, accountId: string, scopes: string[]): string {
    return [tenant.clientKey, tenant.oauthClientId ?? '', tenant.baseUrl, accountId, scopes.join(' ')].join('\n');
  }

  private remember(key: string, entry: Entry): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    const max = this.opts.maxEntries ?? 10_000;
    while (this.cache.size > max) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  private async grant(tenant: Tenant, accountId: string, scopes: string[]): Promise<Entry> {
    const init = { clientKey: tenant.clientKey, method: 'POST', path: '/oauth2/token' };
    const now = this.opts.now();
    const iat = Math.floor(now / 1000);
    const assertion = await new SignJWT({ tnt: tenant.baseUrl })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`urn:atlassian:connect:clientid:${tenant.oauthClientId}`)
      .setSubject(`urn:atlassian:connect:useraccountid:${accountId}`)
      .setAudience(this.authServer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (this.opts.assertionTtlSeconds ?? 60))
      .sign(new TextEncoder().encode(tenant.sharedSecret));
    const body = new URLSearchParams({ grant_type: GRANT_TYPE, assertion });
    if (scopes.length) body.set('scope', scopes.join(' '));
    let raw;
    try {
      const res = await this.opts.fetch(`${this.authServer}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.opts.grantTimeoutMs),
        redirect: 'error',
      });
      raw = await readBody(res, this.opts.maxResponseBytes, init);
    } catch (err) {
      throw thrownToError(err, undefined, init);
    }
    if (raw.status < 200 || raw.status > 299) {
      // Any refusal of the grant is an auth failure for the caller; busy/down keeps its kind.
      const kind = kindForStatus(raw.status);
      throw new ProductApiError(kind === 'http' && raw.status < 500 ? 'auth' : kind, `token grant refused (${raw.status})`, {
        ...init,
        status: raw.status,
        attempts: 1,
        productMessages: productMessages(raw.text),
      });
    }
    let parsed;
    try {
      parsed = tokenResponse.parse(JSON.parse(raw.text));
    } catch (err) {
      throw new ProductApiError('invalid_response', 'token response is not an OAuth token', { ...init, status: raw.status, cause: err });
    }
    return { token: parsed.access_token, expiresAt: now + parsed.expires_in * 1000 };
  }
}
