import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * Forge's side of Forge Remote for tests, done the way the platform does it: an RS256 key set
 * published as a JWKS, and invocation tokens (FIT) with the documented claim layout, sent as
 * `Authorization: Bearer`. (The emulator has its own: it plays the platform independently.)
 * https://developer.atlassian.com/platform/forge/remote/essentials/#the-forge-invocation-token--fit-
 */

export interface ForgeKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function newForgeKey(kid: string = randomUUID()): Promise<ForgeKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Serves `GET /.well-known/jwks.json` like forge.cdn.prod.atlassian-dev.net; counts fetches. */
export class ForgeJwksServer {
  private readonly keys = new Map<string, JWK>();
  private server?: Server;
  /** JWKS fetches served (or refused while `failing`). */
  requests = 0;
  /** Answer 503 instead of the key set (a CDN outage). */
  failing = false;
  url = '';

  add(key: ForgeKey): void {
    this.keys.set(key.kid, key.jwk);
  }

  remove(kid: string): void {
    this.keys.delete(kid);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      this.requests++;
      if (this.failing) {
        res.writeHead(503).end('unavailable');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify({ keys: [...this.keys.values()] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface InvocationInput {
  key: ForgeKey;
  /** Forge app UUID (the `aud` is its ARI). */
  appId: string;
  /** `ari:cloud:ecosystem::installation/<uuid>`. */
  installationId: string;
  cloudId: string;
  product?: 'jira' | 'confluence';
  /** Present on invocations from a UI module (with `accountId` as `principal`). */
  siteUrl?: string;
  accountId?: string;
  environment?: 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';
  /** `app.license`; omitted (as Forge does for free and non-production apps) when undefined. */
  license?: { isActive: boolean; isEvaluation?: boolean; type?: string };
  module?: { type: string; key: string };
  /** `app.apiBaseUrl` (default Atlassian's gateway URL for the site). */
  apiBaseUrl?: string;
  ttlSeconds?: number;
  iatOffsetSeconds?: number;
  /** Overrides for negative tests. */
  issuer?: string;
  audience?: string;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

export function installationAri(uuid: string = randomUUID()): string {
  return `ari:cloud:ecosystem::installation/${uuid}`;
}

/** A Forge invocation token as Forge sends it to a remote. */
export async function signInvocationToken(input: InvocationInput): Promise<string> {
  const now = Math.floor(Date.now() / 1000) + (input.iatOffsetSeconds ?? 0);
  const product = input.product ?? 'jira';
  const ari = `ari:cloud:ecosystem::app/${input.appId}`;
  const apiBaseUrl = input.apiBaseUrl ?? `https://api.atlassian.com/ex/${product}/${input.cloudId}`;
  const envType = input.environment ?? 'PRODUCTION';
  const payload: Record<string, unknown> = {
    app: {
      id: ari,
      version: '2',
      appVersion: '2.1.0',
      installationId: input.installationId,
      apiBaseUrl,
      environment: { type: envType, id: `ari:cloud:ecosystem::environment/${input.appId}/${envType.toLowerCase()}` },
      module: input.module ?? { type: 'core:endpoint', key: 'forge-remote' },
      installation: { id: input.installationId, contexts: [{ name: product, apiBaseUrl, cloudId: input.cloudId }] },
      ...(input.license ? { license: { billingPeriod: 'MONTHLY', type: 'commercial', ...input.license } } : {}),
    },
    ...(input.siteUrl ? { context: { cloudId: input.cloudId, siteUrl: input.siteUrl, moduleKey: input.module?.key ?? 'forge-remote' } } : {}),
    ...(input.accountId ? { principal: input.accountId } : {}),
    ...input.claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: input.key.kid, ...input.header })
    .setIssuer(input.issuer ?? 'forge/invocation-token')
    .setAudience(input.audience ?? ari)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (input.ttlSeconds ?? 25))
    .setJti(randomUUID())
    .sign(input.key.privateKey);
}
