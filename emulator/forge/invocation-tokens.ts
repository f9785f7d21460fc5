import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * Forge's side of Forge Remote, done the way the platform does it: an RS256 key set published as
 * a JWKS, and invocation tokens (FIT) with the documented claim layout, sent as
 * `Authorization: Bearer`. Used by the emulator's Forge mode (tests have their own in
 * lib/connect/testing, so the two sides stay independent).
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
  /** `app.apiBaseUrl`: where the remote calls the product (default Atlassian's gateway for the site). */
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
