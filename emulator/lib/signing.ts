import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, importPKCS8 } from 'jose';
import { productQsh } from './qsh';

/**
 * The product's side of Connect authentication, done the way Atlassian does it: RS256
 * signed-install tokens with a `kid` served by an install-keys server, and HS256 tokens with a
 * qsh from `atlassian-jwt`. The emulator's own (tests sign with lib/connect/testing), so the
 * emulator stays independent of the code it plays against.
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

/** Serves `GET /{kid}` → PEM public key, like connect-install-keys.atlassian.com. */
export class InstallKeysServer {
  private readonly keys = new Map<string, string>();
  private server?: Server;
  requests = 0;
  url = '';

  add(pair: InstallKeyPair): void {
    this.keys.set(pair.kid, pair.publicPem);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests++;
      const kid = decodeURIComponent((req.url ?? '/').slice(1));
      const pem = this.keys.get(kid);
      if (req.method !== 'GET' || !pem) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pem);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface InstallTokenInput {
  pair: InstallKeyPair;
  clientKey: string;
  /** The app's baseUrl, used as `aud` and to compute qsh. */
  appBaseUrl: string;
  /** Full URL of the lifecycle callback being called. */
  url: string;
  method?: string;
  ttlSeconds?: number;
  /** Overrides for negative tests. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

/** An RS256 signed-install token for `installed`/`uninstalled`. */
export async function signInstallToken(input: InstallTokenInput): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = await importPKCS8(input.pair.privatePem, 'RS256');
  // Claims overrides go last so negative tests can replace any standard claim.
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
  /** `iss`: the tenant's clientKey for product → app, the app key for app → product. */
  issuer: string;
  /** Full URL being called; omit with `qsh` set for context tokens. */
  url?: string;
  method?: string;
  /** Base URL the path is relative to (the app's baseUrl for product → app calls). */
  baseUrl?: string;
  accountId?: string;
  qsh?: string;
  ttlSeconds?: number;
  iatOffsetSeconds?: number;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

/** An HS256 Connect JWT: page loads and webhooks (computed qsh) or context tokens (`context-qsh`). */
export async function signSymmetricToken(input: SymmetricTokenInput): Promise<string> {
  const now = Math.floor(Date.now() / 1000) + (input.iatOffsetSeconds ?? 0);
  const qsh = input.qsh ?? productQsh(input.method ?? 'GET', input.url!, input.baseUrl ?? '');
  const jwt = new SignJWT({
    iss: input.issuer,
    iat: now,
    exp: now + (input.ttlSeconds ?? 180),
    qsh,
    ...(input.accountId ? { sub: input.accountId } : {}),
    ...input.claims,
  }).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...input.header });
  return jwt.sign(new TextEncoder().encode(input.sharedSecret));
}

/** Builds a lifecycle payload like the product's. */
export function lifecyclePayload(opts: {
  appKey: string;
  clientKey: string;
  baseUrl: string;
  eventType: 'installed' | 'uninstalled' | 'enabled' | 'disabled';
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
