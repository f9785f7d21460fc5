import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { InstallKeysServer, lifecyclePayload, newInstallKeyPair, signInstallToken } from './testing';
import { handleLifecycle } from './lifecycle';
import { InstallKeyStore } from './install-keys';
import { SessionTokens } from './session';
import { TenantCache } from './tenants/cache';
import { MemoryTenantStore } from './testing';
import type { ConnectRuntime } from './runtime';

const keysServer = new InstallKeysServer();
const pair = newInstallKeyPair();
keysServer.add(pair);
const appUrl = 'https://app.example.com';
let rt: ConnectRuntime;
let store: MemoryTenantStore;
const logs: string[] = [];

beforeAll(async () => {
  const cdn = await keysServer.start();
  store = new MemoryTenantStore();
  const logger = { info: (o: object, m?: string) => logs.push(JSON.stringify(o) + m), warn: (o: object, m?: string) => logs.push(JSON.stringify(o) + m), error: (o: object, m?: string) => logs.push(JSON.stringify(o) + m) };
  rt = {
    config: () => ({ appKey: 'app.key', baseUrl: appUrl, production: true, leewaySeconds: 30, allowedProductHosts: ['*.atlassian.net'], trustProxy: false, licenseWhenAbsent: 'unlicensed', supportedLocales: ['en'], defaultLocale: 'en' }),
    store,
    tenants: new TenantCache(store, 1000),
    installKeys: new InstallKeyStore({ cdnUrl: cdn }),
    sessions: new SessionTokens(randomBytes(32), 'app.key', 900, 30),
    log: logger,
    now: () => new Date(),
    onTenantChange: () => undefined,
  };
});
afterAll(() => keysServer.stop());

async function request(clientKey: string, secret: string, claims: Record<string, unknown> = {}): Promise<Request> {
  const url = `${appUrl}/lifecycle/installed`;
  const token = await signInstallToken({ pair, clientKey, appBaseUrl: appUrl, url, claims });
  const body = lifecyclePayload({ appKey: 'app.key', clientKey, baseUrl: 'https://acme.atlassian.net', eventType: 'installed', sharedSecret: secret });
  return new Request(url, { method: 'POST', headers: { authorization: `JWT ${token}` }, body: JSON.stringify(body) });
}

describe('handleLifecycle', () => {
  it('records accepted and rejected events without secrets, and writes only when verified', async () => {
    const secret = randomBytes(24).toString('hex');
    await handleLifecycle(rt, 'installed', await request('ck-1', secret));
    expect(store.writes).toBe(1);
    await expect(handleLifecycle(rt, 'installed', await request('ck-2', secret, { aud: ['https://other.example'] }))).rejects.toMatchObject({ code: 'JWT_AUDIENCE' });
    await expect(handleLifecycle(rt, 'installed', await request('ck-3', secret, { iss: 'x' }))).rejects.toMatchObject({ code: 'JWT_ISSUER' });
    expect(store.writes).toBe(1);
    expect(store.events).toEqual([
      { event: 'installed', clientKey: 'ck-1', outcome: 'accepted' },
      { event: 'installed', clientKey: 'ck-2', outcome: 'rejected', reason: 'JWT_AUDIENCE' },
      { event: 'installed', clientKey: 'ck-3', outcome: 'rejected', reason: 'JWT_ISSUER' },
    ]);
    const all = JSON.stringify(store.events) + logs.join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('caches install keys by kid: one fetch for many installs', async () => {
    const before = keysServer.requests;
    for (let i = 0; i < 3; i++) await handleLifecycle(rt, 'installed', await request(`ck-cache-${i}`, 's'));
    expect(keysServer.requests - before).toBeLessThanOrEqual(1);
  });
});
