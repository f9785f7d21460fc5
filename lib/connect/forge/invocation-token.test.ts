import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, importPKCS8, importSPKI, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ForgeJwksServer, installationAri, newForgeKey, newInstallKeyPair, signInstallToken, signInvocationToken, signSymmetricToken, type ForgeKey, type InvocationInput } from '../testing';
import { ConnectError } from '../errors';
import { forgeJwks, verifyForgeInvocationToken, type VerifyForgeOptions } from './invocation-token';

const APP_ID = randomUUID();
const cloudId = randomUUID();
const installationId = installationAri();
let jwks: ForgeJwksServer;
let key: ForgeKey;
let opts: VerifyForgeOptions;

beforeAll(async () => {
  jwks = new ForgeJwksServer();
  key = await newForgeKey();
  jwks.add(key);
  await jwks.start();
  opts = { appId: APP_ID, keys: forgeJwks({ url: jwks.url, cooldownMs: 300 }), leewaySeconds: 30 };
});
afterAll(() => jwks.stop());

const fit = (over: Partial<InvocationInput> = {}) => signInvocationToken({ key, appId: APP_ID, installationId, cloudId, ...over });

async function rejection(token: string | Promise<string>, o: Partial<VerifyForgeOptions> = {}): Promise<string> {
  try {
    await verifyForgeInvocationToken(await token, { ...opts, ...o });
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    return (err as ConnectError).code;
  }
  throw new Error('token was accepted');
}

describe('Forge invocation tokens', () => {
  it('accepts a token from a UI module: installation, cloud id, site, user and license from the claims', async () => {
    const inv = await verifyForgeInvocationToken(
      await fit({ siteUrl: 'https://acme.atlassian.net', accountId: '5b10ac8d82e05b22cc7d4ef5', license: { isActive: true } }),
      opts,
    );
    expect(inv).toMatchObject({
      appAri: `ari:cloud:ecosystem::app/${APP_ID}`,
      installationId,
      cloudId,
      product: 'jira',
      siteUrl: 'https://acme.atlassian.net',
      accountId: '5b10ac8d82e05b22cc7d4ef5',
      licenseActive: true,
      environment: { type: 'PRODUCTION' },
    });
  });

  it('accepts a backend/event token (no context, no principal, no license): cloud id from app.apiBaseUrl', async () => {
    const inv = await verifyForgeInvocationToken(await fit({ product: 'confluence' }), opts);
    expect(inv).toMatchObject({ cloudId, product: 'confluence', siteUrl: undefined, accountId: undefined, licenseActive: undefined });
  });

  it.each([
    ['wrong audience (another app)', () => fit({ audience: `ari:cloud:ecosystem::app/${randomUUID()}` }), 'JWT_AUDIENCE'],
    ['wrong issuer', () => fit({ issuer: 'forge/something-else' }), 'JWT_ISSUER'],
    ['expired beyond the leeway', () => fit({ iatOffsetSeconds: -120, ttlSeconds: 60 }), 'JWT_EXPIRED'],
    ['issued in the future', () => fit({ iatOffsetSeconds: 120 }), 'JWT_NOT_YET_VALID'],
    ['app.id not the audience', () => fit({ claims: { app: { id: `ari:cloud:ecosystem::app/${randomUUID()}` } } }), 'JWT_CLAIMS'],
    ['context.cloudId of another site', () => fit({ siteUrl: 'https://a.atlassian.net', claims: { context: { cloudId: randomUUID() } } }), 'JWT_CLAIMS'],
    ['no installation id', () => fit({ claims: { app: { id: `ari:cloud:ecosystem::app/${APP_ID}`, apiBaseUrl: `https://api.atlassian.com/ex/jira/${cloudId}`, environment: { type: 'PRODUCTION', id: 'e' } } } }), 'JWT_CLAIMS'],
    ['not a JWS', async () => 'Bearer.nonsense', 'JWT_MALFORMED'],
  ])('refuses %s', async (_name, token, code) => {
    expect(await rejection(token())).toBe(code);
  });

  it('allows a token that expired within the clock leeway', async () => {
    // Frozen Date: it expired 15 s ago however long signing takes.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await expect(verifyForgeInvocationToken(await fit({ iatOffsetSeconds: -40, ttlSeconds: 25 }), opts)).resolves.toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a token for another Forge environment when the deployment names its own', async () => {
    const dev = await fit({ environment: 'DEVELOPMENT' });
    expect(await rejection(dev, { environment: 'production' })).toBe('JWT_CLAIMS');
    await expect(verifyForgeInvocationToken(dev, { ...opts, environment: 'development' })).resolves.toBeTruthy();
  });

  it('refuses an unknown key and a known kid with another signature', async () => {
    const stranger = await newForgeKey();
    expect(await rejection(fit({ key: stranger }))).toBe('INSTALL_KEY_UNKNOWN');
    expect(await rejection(fit({ key: { ...stranger, kid: key.kid } }))).toBe('JWT_SIGNATURE');
  });

  it('refuses other algorithms (HS256, none, PS256, RS512) before any key is fetched', async () => {
    const before = jwks.requests;
    const fresh = { keys: forgeJwks({ url: jwks.url }) };
    const claims = { app: { id: `ari:cloud:ecosystem::app/${APP_ID}` } };
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid }).setIssuer('forge/invocation-token').setAudience(`ari:cloud:ecosystem::app/${APP_ID}`).setIssuedAt().setExpirationTime('1m').sign(new TextEncoder().encode('k'.repeat(32)));
    const none = new UnsecuredJWT(claims).setIssuer('forge/invocation-token').setAudience(`ari:cloud:ecosystem::app/${APP_ID}`).setIssuedAt().setExpirationTime('1m').encode();
    const pem = newInstallKeyPair().privatePem;
    const ps = await new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: key.kid }).setIssuer('forge/invocation-token').setIssuedAt().setExpirationTime('1m').sign(await importPKCS8(pem, 'PS256'));
    const rs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'RS512', kid: key.kid }).setIssuer('forge/invocation-token').setIssuedAt().setExpirationTime('1m').sign(await importPKCS8(pem, 'RS512'));
    for (const t of [hs, none, ps, rs512]) expect(await rejection(t, fresh)).toBe('JWT_ALGORITHM');
    expect(jwks.requests).toBe(before);
  });

  it('refuses Connect JWTs presented as Forge tokens: a context JWT and a signed-install token', async () => {
    const context = await signSymmetricToken({ sharedSecret: 's'.repeat(32), issuer: 'ck-1', qsh: 'context-qsh', accountId: 'acc' });
    expect(await rejection(context)).toBe('JWT_ALGORITHM');
    const pair = newInstallKeyPair();
    const install = await signInstallToken({ pair, clientKey: 'ck-1', appBaseUrl: 'https://app.example.com', url: 'https://app.example.com/lifecycle/installed' });
    expect(await rejection(install)).toBe('INSTALL_KEY_UNKNOWN');
    // Even if Forge's key set held that key, the token is not for us: wrong issuer and audience.
    const other = new ForgeJwksServer();
    other.add({ kid: pair.kid, privateKey: await importPKCS8(pair.privatePem, 'RS256'), jwk: { ...(await exportJWK(await importSPKI(pair.publicPem, 'RS256', { extractable: true }))), kid: pair.kid, alg: 'RS256' } });
    await other.start();
    try {
      expect(await rejection(install, { keys: forgeJwks({ url: other.url }) })).toBe('JWT_ISSUER');
    } finally {
      await other.stop();
    }
  });

  it('caches the key set, refetches for an unknown kid at most once per cooldown, and picks up a rotated key', async () => {
    // jose times the cooldown with Date.now(): a frozen clock moved by hand, so slow key
    // generation on a busy machine cannot eat into the window.
    const COOLDOWN_MS = 30_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = new ForgeJwksServer();
    server.add(key);
    await server.start();
    try {
      const keys = forgeJwks({ url: server.url, cooldownMs: COOLDOWN_MS });
      const o = { keys };
      await verifyForgeInvocationToken(await fit(), { ...opts, ...o });
      await verifyForgeInvocationToken(await fit(), { ...opts, ...o });
      expect(server.requests).toBe(1);
      // A burst of unknown kids inside the cooldown: no refetch at all.
      const rotated = await newForgeKey();
      for (let i = 0; i < 5; i++) expect(await rejection(fit({ key: { ...rotated, kid: randomUUID() } }), o)).toBe('INSTALL_KEY_UNKNOWN');
      expect(server.requests).toBe(1);
      // Forge publishes a new key: until the cooldown is over even its tokens wait...
      server.add(rotated);
      vi.advanceTimersByTime(COOLDOWN_MS - 1);
      expect(await rejection(fit({ key: rotated }), o)).toBe('INSTALL_KEY_UNKNOWN');
      expect(server.requests).toBe(1);
      // ...and once it is, the first one triggers exactly one refetch.
      vi.advanceTimersByTime(1);
      await verifyForgeInvocationToken(await fit({ key: rotated }), { ...opts, ...o });
      expect(server.requests).toBe(2);
      await verifyForgeInvocationToken(await fit({ key: rotated }), { ...opts, ...o });
      expect(server.requests).toBe(2);
    } finally {
      vi.useRealTimers();
      await server.stop();
    }
  });

  it('answers "unavailable" when the key set cannot be fetched, backs off instead of hammering it, then recovers', async () => {
    const BACKOFF_MS = 10_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = new ForgeJwksServer();
    server.add(key);
    server.failing = true;
    await server.start();
    try {
      const keys = forgeJwks({ url: server.url, failureBackoffMs: BACKOFF_MS });
      const err = await verifyForgeInvocationToken(await fit(), { ...opts, keys }).catch((e: unknown) => e as ConnectError);
      expect(err).toMatchObject({ code: 'INSTALL_KEYS_UNAVAILABLE', status: 503 });
      for (let i = 0; i < 5; i++) expect(await rejection(fit(), { keys })).toBe('INSTALL_KEYS_UNAVAILABLE');
      expect(server.requests).toBe(1);
      server.failing = false;
      vi.advanceTimersByTime(BACKOFF_MS - 1);
      expect(await rejection(fit(), { keys })).toBe('INSTALL_KEYS_UNAVAILABLE');
      expect(server.requests).toBe(1);
      vi.advanceTimersByTime(1);
      await expect(verifyForgeInvocationToken(await fit(), { ...opts, keys })).resolves.toMatchObject({ cloudId });
      expect(server.requests).toBe(2);
    } finally {
      vi.useRealTimers();
      await server.stop();
    }
  });
});
