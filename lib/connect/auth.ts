import { ConnectError } from './errors';
import { decodeUnverified, tokenFromRequest, verifyJwt, type ConnectClaims } from './jwt';
import { CONTEXT_QSH, computeQsh } from './qsh';
import { arrivedOverHttps, licenseFromParam, normaliseTimeZone, parseAcceptLanguage, pickLocale, type LicenseState } from './context';
import type { ConnectRuntime } from './runtime';
import type { CachedTenant } from './tenants/cache';
import type { Tenant } from './tenants/types';

/**
 * Authentication of requests from the product (page loads, webhooks) and from the app's own
 * iframes (API calls). https://developer.atlassian.com/cloud/jira/platform/understanding-jwt/
 */

export type TokenKind = 'page' | 'context' | 'session';

/**
 * Where in the product the token was issued: the issue/project (Jira) or content/space
 * (Confluence) of the module. From the `context` claim of a context JWT, or from the signed page
 * URL carried in a session token. APIs about one issue must check it, so a token obtained on one
 * issue cannot read another issue the user may not see.
 */
export interface ProductScope {
  issueId?: string;
  issueKey?: string;
  projectId?: string;
  projectKey?: string;
  contentId?: string;
  spaceKey?: string;
}

const SCOPE_VALUE = /^[A-Za-z0-9_.~-]{1,64}$/;

/** Keeps only well-formed string values (the claims are signed, but shapes vary by product). */
export function cleanScope(raw: Record<string, unknown>): ProductScope | undefined {
  const out: ProductScope = {};
  for (const key of ['issueId', 'issueKey', 'projectId', 'projectKey', 'contentId', 'spaceKey'] as const) {
    const v = raw[key];
    if (typeof v === 'string' && SCOPE_VALUE.test(v)) out[key] = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) out[key] = String(v);
  }
  return Object.keys(out).length ? out : undefined;
}

/** The scope in a context JWT's `context` claim (`{ jira: { issue: { id, key }, project: { id, key } } }`). */
export function scopeFromContextClaim(context: unknown): ProductScope | undefined {
  const c = (context ?? {}) as { jira?: { issue?: { id?: unknown; key?: unknown }; project?: { id?: unknown; key?: unknown } }; confluence?: { content?: { id?: unknown }; space?: { key?: unknown } } };
  return cleanScope({
    issueId: c.jira?.issue?.id,
    issueKey: c.jira?.issue?.key,
    projectId: c.jira?.project?.id,
    projectKey: c.jira?.project?.key,
    contentId: c.confluence?.content?.id,
    spaceKey: c.confluence?.space?.key,
  });
}

export interface RequestContext {
  tenant: Tenant;
  clientKey: string;
  /** The Atlassian accountId (`sub`); undefined for anonymous users. */
  accountId?: string;
  license: LicenseState;
  locale: string;
  timeZone?: string;
  tokenKind: TokenKind;
  /** Module the session was issued for, when authenticated by a session token. */
  module?: string;
  /** When the session token was issued (session tokens only). */
  sessionIssuedAt?: Date;
  /** Where in the product the token was issued (see ProductScope). */
  scope?: ProductScope;
}

const pageLeeway = (rt: ConnectRuntime) => rt.config.leewaySeconds;

/** Production serves HTTPS only: every route kind, lifecycle included. */
export function requireHttps(rt: Pick<ConnectRuntime, 'config'>, req: Request): void {
  if (rt.config.production && !arrivedOverHttps(req.headers, rt.config.trustProxyHops)) {
    throw new ConnectError('HTTPS_REQUIRED', 'request did not arrive over https');
  }
}

async function activeTenant(rt: ConnectRuntime, clientKey: string, fresh = false): Promise<CachedTenant> {
  const cached = fresh ? await rt.tenants.refresh(clientKey) : await rt.tenants.get(clientKey);
  if (!cached) throw new ConnectError('TENANT_UNKNOWN', 'iss is not an installed tenant');
  if (cached.tenant.uninstalledAt) throw new ConnectError('TENANT_UNINSTALLED', 'tenant is uninstalled');
  return cached;
}

/**
 * Verifies an HS256 product token against the tenant's current secret. If the signature fails
 * the tenant is re-read once: another instance may have stored a rotated secret.
 */
async function verifyProductToken(rt: ConnectRuntime, token: string): Promise<{ claims: ConnectClaims; cached: CachedTenant }> {
  const hit = rt.verifiedTokens.get(token);
  if (hit) {
    // The same token string under the same imported key verifies the same way; only expiry and
    // the tenant's state can have changed. A rotated or reloaded key means a full verification.
    const cached = await activeTenant(rt, hit.claims.iss);
    const exp = typeof hit.claims.exp === 'number' ? hit.claims.exp : 0;
    if (cached.key === hit.key && exp + rt.config.leewaySeconds > rt.now().getTime() / 1000) return { claims: hit.claims, cached };
    rt.verifiedTokens.forget(token);
  }
  const result = await verifyProductTokenFully(rt, token);
  // Page and webhook tokens are signed for one request; only context JWTs come back.
  if (result.claims.qsh === CONTEXT_QSH) rt.verifiedTokens.remember(token, result.claims, result.cached.key);
  return result;
}

async function verifyProductTokenFully(rt: ConnectRuntime, token: string): Promise<{ claims: ConnectClaims; cached: CachedTenant }> {
  const { header, claims: unverified } = decodeUnverified(token);
  if (header.alg !== 'HS256') throw new ConnectError('JWT_ALGORITHM', `expected HS256, got ${String(header.alg)}`);
  let cached = await activeTenant(rt, unverified.iss);
  try {
    return { claims: await verifyJwt(token, cached.key, { algorithm: 'HS256', leewaySeconds: pageLeeway(rt), currentDate: rt.now() }), cached };
  } catch (err) {
    if (!(err instanceof ConnectError) || err.code !== 'JWT_SIGNATURE') throw err;
    const fresh = await activeTenant(rt, unverified.iss, true);
    if (fresh.tenant.sharedSecret === cached.tenant.sharedSecret) throw err;
    cached = fresh;
    return { claims: await verifyJwt(token, cached.key, { algorithm: 'HS256', leewaySeconds: pageLeeway(rt), currentDate: rt.now() }), cached };
  }
}

function localeFor(rt: ConnectRuntime, req: Request, loc: string | null | undefined): string {
  const cfg = rt.config;
  // The signed `loc` first; Accept-Language is parsed only when `loc` names no supported locale.
  const signed = loc ? pickLocale([loc], cfg.supportedLocales, '') : '';
  return signed || pickLocale(parseAcceptLanguage(req.headers.get('accept-language')), cfg.supportedLocales, cfg.defaultLocale);
}

/**
 * Page loads and webhooks: HS256, `iss` an installed tenant, `qsh` computed from this request
 * against the configured baseUrl (a context token or a token for another URL is refused).
 * License, locale and time zone come from the qsh-covered URL.
 */
export async function authenticatePage(rt: ConnectRuntime, req: Request, opts: { allowQueryToken: boolean }): Promise<RequestContext> {
  const url = new URL(req.url);
  requireHttps(rt, req);
  const token = tokenFromRequest(req.headers, url, opts.allowQueryToken);
  if (!token) throw new ConnectError('JWT_MISSING', 'no JWT on page request');
  const { claims, cached } = await verifyProductToken(rt, token);
  if (!claims.qsh || claims.qsh === CONTEXT_QSH || claims.qsh !== computeQsh(req.method, url, rt.config.baseUrl)) {
    throw new ConnectError('JWT_QSH', 'qsh does not match this page request');
  }
  touch(rt, cached.tenant);
  const p = url.searchParams;
  return {
    tenant: cached.tenant,
    clientKey: cached.tenant.clientKey,
    accountId: claims.sub || undefined,
    license: licenseFromParam(p.get('lic'), rt.config.licenseWhenAbsent),
    locale: localeFor(rt, req, p.get('loc')),
    timeZone: normaliseTimeZone(p.get('tz')),
    tokenKind: 'page',
    scope: scopeFromContextClaim(claims.context),
  };
}

export interface ApiAuthOptions {
  /** License for context-JWT calls, which carry none (e.g. from the product's license API). */
  resolveLicense?: (tenant: Tenant) => Promise<LicenseState>;
  /**
   * What is known now, without waiting, about the site's license (a cached answer of the
   * product's license API): a session token signed while licensed loses its license as soon as
   * the product says the license is gone, not when the session expires.
   */
  licenseRevoked?: (tenant: Tenant) => boolean;
}

/**
 * The app's own API, called from its iframes: `Authorization: Bearer <session token>` issued by
 * this app at page load, or `Authorization: JWT <context token>` (`qsh: context-qsh`, or a qsh
 * computed for exactly this request). A page token for another URL never passes.
 */
export async function authenticateApi(rt: ConnectRuntime, req: Request, opts: ApiAuthOptions = {}): Promise<RequestContext> {
  const url = new URL(req.url);
  requireHttps(rt, req);
  const auth = req.headers.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  if (bearer) {
    const s = await rt.sessions.verify(bearer, rt.now());
    // The tenant's state is read on every call: an uninstalled site's sessions stop at once.
    const cached = await activeTenant(rt, s.clientKey);
    const signed = licenseFromParam(s.lic === 'absent' ? null : s.lic, rt.config.licenseWhenAbsent);
    const license = signed.licensed && opts.licenseRevoked?.(cached.tenant) ? licenseFromParam('none', rt.config.licenseWhenAbsent) : signed;
    return {
      tenant: cached.tenant,
      clientKey: s.clientKey,
      accountId: s.accountId,
      license,
      locale: localeFor(rt, req, s.loc),
      timeZone: normaliseTimeZone(s.tz),
      tokenKind: 'session',
      module: s.mod,
      sessionIssuedAt: s.iat !== undefined ? new Date(s.iat * 1000) : undefined,
      scope: s.scp ? cleanScope(s.scp) : undefined,
    };
  }
  const token = tokenFromRequest(req.headers, url, false);
  if (!token) throw new ConnectError('JWT_MISSING', 'no token on API request');
  const { claims, cached } = await verifyProductToken(rt, token);
  if (claims.qsh !== CONTEXT_QSH && claims.qsh !== computeQsh(req.method, url, rt.config.baseUrl)) {
    throw new ConnectError('JWT_QSH', 'token is neither a context token nor for this request');
  }
  touch(rt, cached.tenant);
  const license = opts.resolveLicense
    ? await opts.resolveLicense(cached.tenant)
    : licenseFromParam(null, rt.config.licenseWhenAbsent);
  return {
    tenant: cached.tenant,
    clientKey: cached.tenant.clientKey,
    accountId: claims.sub || undefined,
    license,
    locale: localeFor(rt, req, req.headers.get('x-connect-locale')),
    tokenKind: claims.qsh === CONTEXT_QSH ? 'context' : 'page',
    scope: scopeFromContextClaim(claims.context),
  };
}

/** Records that the site is still calling (throttled; never on the request's critical path). */
function touch(rt: ConnectRuntime, tenant: Tenant): void {
  rt.touches.touch(tenant.clientKey, tenant.lastSeenAt, rt.now());
}
