import { z } from 'zod';
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
export const lifecyclePayload = z.looseObject({
  key: z.string().min(1).max(64),
  clientKey: z.string().min(1).max(255),
  sharedSecret: z.string().min(1).max(1024).optional(),
  baseUrl: url,
  displayUrl: url.optional(),
  productType: z.string().min(1).max(64),
  description: z.string().max(1000).optional(),
  eventType: z.enum(['installed', 'uninstalled', 'enabled', 'disabled']),
  serverVersion: z.string().max(64).optional(),
  pluginsVersion: z.string().max(64).optional(),
  serviceEntitlementNumber: z.string().max(128).optional(),
  oauthClientId: z.string().max(255).optional(),
  cloudId: z.string().max(255).optional(),
});
export type LifecyclePayload = z.infer<typeof lifecyclePayload>;

async function readBody(req: Request): Promise<LifecyclePayload> {
  const len = Number(req.headers.get('content-length') ?? '0');
  if (len > MAX_BODY_BYTES) throw new ConnectError('PAYLOAD_TOO_LARGE', 'lifecycle body too large');
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ConnectError('PAYLOAD_TOO_LARGE', 'lifecycle body too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConnectError('BAD_REQUEST', 'lifecycle body is not JSON', { publicMessage: 'Body must be JSON' });
  }
  const parsed = lifecyclePayload.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ConnectError('BAD_REQUEST', 'lifecycle body invalid', { issues, publicMessage: 'Invalid lifecycle payload' });
  }
  return parsed.data;
}

export interface LifecycleResult {
  event: LifecycleEventName;
  tenant?: Tenant;
}

export async function handleLifecycle(rt: ConnectRuntime, event: LifecycleEventName, req: Request): Promise<LifecycleResult> {
  const cfg = rt.config;
  const reqUrl = new URL(req.url);
  let claimedClientKey: string | undefined;
  try {
    const token = tokenFromRequest(req.headers, reqUrl, false);
    if (!token) throw new ConnectError('JWT_MISSING', 'no Authorization: JWT header on lifecycle call');
    const unverified = decodeUnverified(token);
    const body = await readBody(req);
    claimedClientKey = body.clientKey;
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
      if (existing?.cloudId && body.cloudId && existing.cloudId !== body.cloudId) {
        // Same clientKey, different site: never let one site overwrite another's secret.
        throw new ConnectError('JWT_ISSUER', 'install for a known clientKey from a different cloudId', {
          publicMessage: 'This clientKey belongs to another site',
        });
      }
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
    await rt.store.recordLifecycle({ event, clientKey: body.clientKey, outcome: 'accepted' });
    rt.log.info({ event, clientKey: body.clientKey }, 'lifecycle accepted');
    return { event, tenant };
  } catch (err) {
    const code = err instanceof ConnectError ? err.code : 'INTERNAL';
    rt.log.warn({ event, clientKey: claimedClientKey, code, detail: err instanceof Error ? err.message : String(err) }, 'lifecycle rejected');
    await rt.store.recordLifecycle({ event, clientKey: claimedClientKey, outcome: 'rejected', reason: code }).catch(() => undefined);
    throw err;
  }
}
