import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { productQsh } from './qsh';

/**
 * The product's tokens for tests of a Connect app, signed as Atlassian signs them: RS256
 * signed-install tokens with a `kid` (keys served by InstallKeysServer), HS256 page, webhook and
 * lifecycle tokens with a qsh from `atlassian-jwt`, context tokens with `context-qsh`, and the
 * lifecycle payload. `claims`/`header` override anything, for tests of each refusal.
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/
 */

export interface InstallKeyPair {
  kid: string;
  privatePem: string;
  publicPem: string;
}

export function newInstallKeyPair(kid: string = randomUUID()): InstallKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface InstallTokenInput {
  pair: InstallKeyPair;
  clientKey: string;
  /** The app's baseUrl: the `aud`, and the base of the qsh. */
  appBaseUrl: string;
  /** Full URL of the lifecycle callback. */
  url: string;
  method?: string;
  ttlSeconds?: number;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

/** An RS256 signed-install token for `installed`/`uninstalled`. */
export async function signInstallToken(input: InstallTokenInput): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = await importPKCS8(input.pair.privatePem, 'RS256');
  return new SignJWT({
    iss: input.clientKey,
    iat: now,
    exp: now + (input.ttlSeconds ?? 180),
    qsh: productQsh(input.method ?? 'POST', input.url, input.appBaseUrl),
    aud: [input.appBaseUrl],
    context: {},
    ...input.claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: input.pair.kid, ...input.header })
    .sign(key);
}

export interface SymmetricTokenInput {
  sharedSecret: string;
  /** `iss`: the tenant's clientKey (product → app). */
  issuer: string;
  /** Full URL being called; omit with `qsh` set (context tokens). */
  url?: string;
  method?: string;
  /** The app's baseUrl the path is relative to. */
  baseUrl?: string;
  accountId?: string;
  /** A fixed qsh instead of the computed one, e.g. `context-qsh`. */
  qsh?: string;
  ttlSeconds?: number;
  iatOffsetSeconds?: number;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

/** An HS256 Connect JWT: page loads, webhooks and enabled/disabled (computed qsh) or context tokens. */
export async function signSymmetricToken(input: SymmetricTokenInput): Promise<string> {
  if (input.qsh === undefined && input.url === undefined) throw new Error('signSymmetricToken needs `url` (or a fixed `qsh`)');
  const now = Math.floor(Date.now() / 1000) + (input.iatOffsetSeconds ?? 0);
  return new SignJWT({
    iss: input.issuer,
    iat: now,
    exp: now + (input.ttlSeconds ?? 180),
    qsh: input.qsh ?? productQsh(input.method ?? 'GET', input.url!, input.baseUrl),
    ...(input.accountId ? { sub: input.accountId } : {}),
    ...input.claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...input.header })
    .sign(new TextEncoder().encode(input.sharedSecret));
}

/** A context JWT as `AP.context.getToken()` returns it. */
export function signContextToken(input: Omit<SymmetricTokenInput, 'url' | 'method' | 'baseUrl' | 'qsh'>): Promise<string> {
  return signSymmetricToken({ ...input, qsh: 'context-qsh' });
}

export type LifecycleEvent = 'installed' | 'uninstalled' | 'enabled' | 'disabled';

/** A lifecycle payload as the product sends it. */
export function lifecyclePayload(opts: {
  appKey: string;
  clientKey: string;
  baseUrl: string;
  eventType: LifecycleEvent;
  sharedSecret?: string;
  cloudId?: string;
  productType?: string;
  oauthClientId?: string;
  displayUrl?: string;
}): Record<string, unknown> {
  return {
    key: opts.appKey,
    clientKey: opts.clientKey,
    ...(opts.sharedSecret ? { sharedSecret: opts.sharedSecret } : {}),
    baseUrl: opts.baseUrl,
    displayUrl: opts.displayUrl ?? opts.baseUrl,
    productType: opts.productType ?? 'jira',
    description: 'Atlassian JIRA at ' + opts.baseUrl,
    serviceEntitlementNumber: '10001',
    eventType: opts.eventType,
    serverVersion: '100271',
    pluginsVersion: '1001.0.0-SNAPSHOT',
    oauthClientId: opts.oauthClientId ?? `oauth-${opts.clientKey.slice(0, 8)}`,
    cloudId: opts.cloudId ?? `cloud-${opts.clientKey.slice(0, 8)}`,
  };
}
