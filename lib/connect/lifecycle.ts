import { z } from 'zod';
import { requireHttps } from './auth';
import { readJsonCapped } from './body';
import { isSafeKey } from './context';
import { ConnectError } from './errors';
import type { LifecycleEventName } from './descriptor';
import { decodeUnverified, tokenFromRequest, verifyJwt, type ConnectClaims } from './jwt';
import { computeQsh } from './qsh';
import { isAllowedProductUrl } from './hosts';
import type { ConnectRuntime } from './runtime';
import type { Tenant } from './tenants/types';

/**
 * Lifecycle callbacks. `installed`/`uninstalled` accept only RS256 signed-install tokens;
 * `enabled`/`disabled` only HS256 with the tenant's current secret. A rejected call changes
 * nothing. https://developer.atlassian.com/cloud/jira/platform/connect-app-descriptor/#lifecycle
 */

const MAX_BODY_BYTES = 64 * 1024;

const url = z.url({ protocol: /^https?$/ }).max(2048);
const key = (max: number) => z.string().refine((v) => isSafeKey(v, max), `1-${max} characters, no control characters`);
export const lifecyclePayload = z.looseObject({
  key: key(64),
  clientKey: key(255),
  sharedSecret: z.string().min(1).max(1024).optional(),
  baseUrl: url,
  displayUrl: url.optional(),
  productType: key(64),
  description: z.string().max(1000).optional(),
  eventType: z.enum(['installed', 'uninstalled', 'enabled', 'disabled']),
  serverVersion: z.string().max(64).optional(),
  pluginsVersion: z.string().max(64).optional(),
  serviceEntitlementNumber: z.string().max(128).optional(),
  oauthClientId: key(255).optional(),
  cloudId: key(255).optional(),
});
export type LifecyclePayload = z.infer<typeof lifecyclePayload>;

async function readBody(req: Request): Promise<LifecyclePayload> {
  const json = await readJsonCapped(req, MAX_BODY_BYTES, 'lifecycle body');
  const parsed = lifecyclePayload.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ConnectError('BAD_REQUEST', 'lifecycle body invalid', { issues, publicMessage: 'Invalid lifecycle payload' });
  }
  return parsed.data;
}

const hostOf = (u: string) => new URL(u).host.toLowerCase();

/**
 * A reinstall of a known clientKey must come from the same site. The body is not covered by the
 * install token's signature (its qsh binds method, path and query only), so a captured token
 * replayed with another body must not move a tenant elsewhere: when a cloudId is stored, the
 * install must carry the same one (a site rename keeps it); with no cloudId stored (tenants from
 * before it was kept), the product host may not change.
 */
function checkSameSite(existing: Tenant, body: LifecyclePayload): void {
  const refuse = (detail: string) => new ConnectError('JWT_ISSUER', detail, { publicMessage: 'This clientKey belongs to another site' });
  if (existing.cloudId) {
    if (body.cloudId !== existing.cloudId) throw refuse(body.cloudId ? 'install for a known clientKey from a different cloudId' : 'install for a known clientKey without its cloudId');
  } else if (hostOf(existing.baseUrl) !== hostOf(body.baseUrl)) {
    throw refuse('install for a known clientKey (no cloudId stored) from another product host');
  }
}

export interface LifecycleResult {
  event: LifecycleEventName;
  tenant?: Tenant;
}

export async function handleLifecycle(rt: ConnectRuntime, event: LifecycleEventName, req: Request): Promise<LifecycleResult> {
  const cfg = rt.config;
  const reqUrl = new URL(req.url);
  try {
    requireHttps(rt, req);
    const token = tokenFromRequest(req.headers, reqUrl, false);
    if (!token) throw new ConnectError('JWT_MISSING', 'no Authorization: JWT header on lifecycle call');
    const unverified = decodeUnverified(token);
    const body = await readBody(req);
    if (body.eventType !== event) throw new ConnectError('BAD_REQUEST', `eventType ${body.eventType} on ${event} route`);
    if (body.key !== cfg.appKey) throw new ConnectError('BAD_REQUEST', 'payload key is not this app', { publicMessage: 'Payload key does not match this app' });

    let claims: ConnectClaims;
    if (event === 'installed' || event === 'uninstalled') {
      if (unverified.header.alg !== 'RS256') throw new ConnectError('JWT_ALGORITHM', `lifecycle ${event} requires RS256, got ${unverified.header.alg}`);
      const key = await rt.installKeys.get(unverified.header.kid);
      claims = await verifyJwt(token, key, { algorithm: 'RS256', leewaySeconds: cfg.leewaySeconds, currentDate: rt.now() });
      const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
      const ours = cfg.baseUrl.replace(/\/+$/, '');
      if (!aud.some((a) => typeof a === 'string' && a.replace(/\/+$/, '') === ours)) {
        throw new ConnectError('JWT_AUDIENCE', 'aud does not contain our baseUrl');
      }
    } else {
      if (unverified.header.alg !== 'HS256') throw new ConnectError('JWT_ALGORITHM', `lifecycle ${event} requires HS256`);
      const cached = await rt.tenants.refresh(body.clientKey);
      if (!cached || cached.tenant.uninstalledAt) throw new ConnectError('TENANT_UNKNOWN', 'no installed tenant for this clientKey');
      claims = await verifyJwt(token, cached.key, { algorithm: 'HS256', leewaySeconds: cfg.leewaySeconds, currentDate: rt.now() });
    }
    if (claims.iss !== body.clientKey) throw new ConnectError('JWT_ISSUER', 'iss does not equal the payload clientKey');
    if (claims.qsh !== computeQsh(req.method, reqUrl, cfg.baseUrl)) throw new ConnectError('JWT_QSH', 'qsh does not match the lifecycle request');

    const now = rt.now();
    let tenant: Tenant | undefined;
    if (event === 'installed') {
      if (!body.sharedSecret) throw new ConnectError('BAD_REQUEST', 'installed without sharedSecret', { publicMessage: 'sharedSecret is required' });
      if (!isAllowedProductUrl(body.baseUrl, cfg.allowedProductHosts)) {
        throw new ConnectError('HOST_NOT_ALLOWED', `product host not allowed: ${new URL(body.baseUrl).host}`);
      }
      const existing = await rt.store.find(body.clientKey);
      if (existing) checkSameSite(existing, body);
      tenant = await rt.store.upsertInstall(
        {
          clientKey: body.clientKey,
          appKey: body.key,
          sharedSecret: body.sharedSecret,
          baseUrl: body.baseUrl.replace(/\/+$/, ''),
          displayUrl: body.displayUrl?.replace(/\/+$/, '') ?? null,
          productType: body.productType,
          cloudId: body.cloudId ?? null,
          oauthClientId: body.oauthClientId ?? null,
          description: body.description ?? null,
          serverVersion: body.serverVersion ?? null,
          pluginsVersion: body.pluginsVersion ?? null,
          serviceEntitlementNumber: body.serviceEntitlementNumber ?? null,
        },
        now,
      );
    } else if (event === 'uninstalled') {
      await rt.store.markUninstalled(body.clientKey, now);
    } else {
      await rt.store.setEnabled(body.clientKey, event === 'enabled');
    }
    rt.tenantChanged(body.clientKey, event);
    await rt.audit.accepted(event, body.clientKey);
    return { event, tenant };
  } catch (err) {
    const code = err instanceof ConnectError ? err.code : 'INTERNAL';
    await rt.audit.rejected(event, code, err instanceof Error ? err.message : String(err));
    throw err;
  }
}
