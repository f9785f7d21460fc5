import type { JWTVerifyGetKey } from 'jose';
import { requireHttps } from '../auth';
import { licenseFromParam, type LicenseState } from '../context';
import { ConnectError } from '../errors';
import { errorResponse } from '../wrappers';
import type { ProductClient, ProductRequester } from '../product/client';
import { forgeCredentials, type ForgeCredentials } from '../product/forge-auth';
import type { ConnectRuntime } from '../runtime';
import type { Tenant } from '../tenants/types';
import type { ForgeInstallationStore } from './installation-store';
import { verifyForgeInvocationToken, type ForgeInvocation } from './invocation-token';
import type { ForgeLifecycleEvent } from './lifecycle-paths';
import { resolveForgeTenant } from './resolve';

/**
 * Route wrappers for calls from Forge (remote resolvers, events, lifecycle triggers): exactly one
 * token kind, `Authorization: Bearer <Forge invocation token>`. A Connect JWT is refused here, and
 * a Forge token is refused by the Connect wrappers (they pin HS256).
 */

export interface ForgeRuntime {
  rt: ConnectRuntime;
  /** Forge's key set (see forgeJwks). */
  keys: JWTVerifyGetKey;
  installations: ForgeInstallationStore;
  /** FORGE_APP_ID: `aud` must be `ari:cloud:ecosystem::app/<id>`. */
  appId: string;
  environment?: 'development' | 'staging' | 'production';
  /** The app's product client: remote handlers get requesters that use the invocation's tokens. */
  product?: ProductClient;
}

/**
 * Product calls with this invocation's tokens, to the API base URL it named (see
 * product/forge-auth.ts). Usable while the handler runs; the tokens are dropped when it returns.
 */
export interface ForgeProductCalls {
  /** The system token (`x-forge-oauth-system`): the app's bot user. */
  asApp(): ProductRequester;
  /** The user token (`x-forge-oauth-user`): the calling user; calls fail with ForgeTokenError without one. */
  asUser(): ProductRequester;
  /** Which tokens this invocation carried. */
  readonly tokens: { system: boolean; user: boolean };
}

export interface ForgeRequestContext {
  tenant: Tenant;
  clientKey: string;
  installationId: string;
  cloudId: string;
  siteUrl?: string;
  /** `principal`: present on invocations from a UI module. */
  accountId?: string;
  license: LicenseState;
  environment: { type: string; id: string };
  module?: { type: string; key: string };
  tokenKind: 'forge';
  invocation: ForgeInvocation;
  /** Present when the Forge runtime was given the product client. */
  product?: ForgeProductCalls;
}

type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> };
export type ForgeHandler = (req: Request, ctx: ForgeRequestContext, route: RouteParams) => Promise<Response> | Response;

/** A token header as Forge sends it (a JWT); anything else is ignored rather than forwarded. */
function tokenHeader(req: Request, name: string): string | undefined {
  const v = req.headers.get(name)?.trim();
  return v && v.length <= 16_384 && /^[A-Za-z0-9._~+/=-]+$/.test(v) ? v : undefined;
}

/**
 * The product tokens of this invocation (when the endpoint asked for them in the manifest).
 * https://developer.atlassian.com/platform/forge/remote/calling-product-apis/
 */
function invocationCredentials(req: Request, inv: ForgeInvocation): ForgeCredentials {
  return forgeCredentials({
    apiBaseUrl: inv.apiBaseUrl,
    product: inv.product,
    systemToken: tokenHeader(req, 'x-forge-oauth-system'),
    userToken: tokenHeader(req, 'x-forge-oauth-user'),
    accountId: inv.accountId,
  });
}

function bearer(req: Request): string {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get('authorization') ?? '');
  if (!m) throw new ConnectError('JWT_MISSING', 'no Authorization: Bearer Forge invocation token');
  return m[1]!;
}

/** Verifies the invocation token and maps it onto the Connect tenant of the same site. */
export async function authenticateForge(
  frt: ForgeRuntime,
  req: Request,
  opts: { lifecycle: boolean },
  creds?: (inv: ForgeInvocation) => ForgeCredentials,
): Promise<ForgeRequestContext> {
  const cfg = frt.rt.config;
  requireHttps(frt.rt, req);
  const inv = await verifyForgeInvocationToken(bearer(req), {
    appId: frt.appId,
    keys: frt.keys,
    leewaySeconds: cfg.leewaySeconds,
    environment: frt.environment,
  });
  const { tenant } = await resolveForgeTenant(frt.rt, frt.installations, inv, opts);
  const license =
    inv.licenseActive === undefined ? licenseFromParam(null, cfg.licenseWhenAbsent) : licenseFromParam(inv.licenseActive ? 'active' : 'none', cfg.licenseWhenAbsent);
  const c = creds?.(inv);
  const product = frt.product;
  return {
    ...(c && product ? { product: { ...product.forge(tenant.clientKey, c), tokens: { system: c.has('system'), user: c.has('user') } } } : {}),
    tenant,
    clientKey: tenant.clientKey,
    installationId: inv.installationId,
    cloudId: inv.cloudId,
    siteUrl: inv.siteUrl,
    accountId: inv.accountId,
    license,
    environment: inv.environment,
    module: inv.module,
    tokenKind: 'forge',
    invocation: inv,
  };
}

function forgeError(frt: ForgeRuntime, err: unknown): Response {
  const res = errorResponse(frt.rt, err, { 'Cache-Control': 'no-store' });
  if (res.status === 401) res.headers.set('WWW-Authenticate', 'Bearer realm="forge"');
  return res;
}

export function createForgeWrappers(frt: ForgeRuntime) {
  return {
    /** Remote resolvers and other Forge → remote calls. */
    withForgeAuth(handler: ForgeHandler) {
      return async (req: Request, route: RouteParams): Promise<Response> => {
        let creds: ForgeCredentials | undefined;
        try {
          const ctx = await authenticateForge(frt, req, { lifecycle: false }, (inv) => (creds = invocationCredentials(req, inv)));
          const res = await handler(req, ctx, route);
          if (!res.headers.has('Cache-Control')) res.headers.set('Cache-Control', 'no-store');
          return res;
        } catch (err) {
          return forgeError(frt, err);
        } finally {
          // The tokens are the invocation's: nothing the handler left running may use them later.
          creds?.dispose();
        }
      };
    },

    /**
     * POST from a Forge lifecycle trigger (`avi:forge:installed:app` / `avi:forge:upgraded:app`).
     * After adoption these replace Connect's `installed`/`enabled`: the tenant is found by site,
     * the installation recorded, a stale `enabled: false` cleared. The body is not signed by the
     * token, so only the token's claims are used. A site whose Connect install has not arrived
     * yet gets 202 (the link is made on its first call after it does).
     */
    forgeLifecycleRoute(event: ForgeLifecycleEvent) {
      return async (req: Request): Promise<Response> => {
        const name = `forge:${event}`;
        try {
          const ctx = await authenticateForge(frt, req, { lifecycle: true });
          await frt.rt.audit.accepted(name, ctx.clientKey);
          if (ctx.tenant.uninstalledAt) {
            frt.rt.log.warn({ event: name, clientKey: ctx.clientKey }, 'forge: lifecycle for a tenant uninstalled on Connect; a signed Connect install re-activates it');
            return Response.json({ linked: true, active: false }, { status: 202, headers: { 'Cache-Control': 'no-store' } });
          }
          frt.rt.log.info({ event: name, clientKey: ctx.clientKey, installationId: ctx.installationId }, 'forge lifecycle accepted');
          return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
        } catch (err) {
          const code = err instanceof ConnectError ? err.code : 'INTERNAL';
          if (code === 'TENANT_UNKNOWN') {
            frt.rt.log.info({ event: name }, 'forge: lifecycle before the Connect install arrived; linking on a later call');
            return Response.json({ linked: false }, { status: 202, headers: { 'Cache-Control': 'no-store' } });
          }
          await frt.rt.audit.rejected(name, code, err instanceof Error ? err.message : String(err));
          return forgeError(frt, err);
        }
      };
    },
  };
}
