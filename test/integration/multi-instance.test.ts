import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppServer } from '../../scripts/stack';
import { freshPostgresDatabase, testDatabaseKind } from '../support/database';
import { FakeKeys, newSite, pageUrl, type Site } from '../support/product';

/**
 * Several app instances behind one base URL share one PostgreSQL. Instances are reached on
 * their own ports, but all are configured with the same public APP_BASE_URL, as behind a load
 * balancer; qsh is computed against that configured URL, never the Host header.
 */
describe.runIf(testDatabaseKind === 'postgres')('two instances sharing one PostgreSQL', () => {
  let a: AppServer;
  let b: AppServer;
  let keys: FakeKeys;
  const publicUrl = 'http://connect-app.localhost:7999';

  beforeAll(async () => {
    keys = new FakeKeys();
    const cdn = await keys.start();
    const databaseUrl = await freshPostgresDatabase();
    // Long cache TTL: B must pick up a rotated secret through the re-read on signature failure.
    const env = { CONNECT_KEYS_CDN_URL: cdn, APP_BASE_URL: publicUrl, TENANT_CACHE_TTL_MS: '1500', TENANT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') };
    [a, b] = await Promise.all([startApp({ databaseUrl, env }), startApp({ databaseUrl, env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await keys?.stop();
  });

  /** Sends a product request signed for the public URL to one instance. */
  async function page(instance: AppServer, site: Site, secret = site.sharedSecret): Promise<number> {
    const signed = new URL(await pageUrl(publicUrl, site, '/general', { secret, accountId: 'acc' }));
    const res = await fetch(`${instance.url}${signed.pathname}${signed.search}`);
    await res.arrayBuffer();
    return res.status;
  }

  async function lifecycle(instance: AppServer, site: Site, event: 'installed' | 'uninstalled'): Promise<number> {
    // Signed for the public URL, delivered to the chosen instance.
    const { signInstallToken, lifecyclePayload } = await import('@/lib/connect/testing');
    const token = await signInstallToken({ pair: keys.pair, clientKey: site.clientKey, appBaseUrl: publicUrl, url: `${publicUrl}/lifecycle/${event}` });
    const body = lifecyclePayload({ appKey: 'com.example.connect-checklists', clientKey: site.clientKey, baseUrl: site.baseUrl, eventType: event, sharedSecret: site.sharedSecret, cloudId: site.cloudId });
    const r = await fetch(`${instance.url}/lifecycle/${event}`, { method: 'POST', headers: { authorization: `JWT ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return r.status;
  }

  it('install through one, authenticate through the other', async () => {
    const site = newSite();
    expect(await lifecycle(a, site, 'installed')).toBe(204);
    expect(await page(b, site)).toBe(200);
    expect(await page(a, site)).toBe(200);
  });

  it('rotate the secret through one: the other accepts the new secret at once and soon refuses the old', async () => {
    const site = newSite();
    expect(await lifecycle(a, site, 'installed')).toBe(204);
    expect(await page(b, site)).toBe(200); // B caches the first secret
    const rotated = { ...site, sharedSecret: `${site.sharedSecret}-v2` };
    expect(await lifecycle(a, rotated, 'installed')).toBe(204);
    expect(await page(b, rotated)).toBe(200); // immediately, through the re-read
    await new Promise((r) => setTimeout(r, 1600)); // one cache TTL
    expect(await page(b, site)).toBe(401);
  });

  it('uninstall through one is seen by the other within the cache TTL', async () => {
    const site = newSite();
    expect(await lifecycle(a, site, 'installed')).toBe(204);
    expect(await page(b, site)).toBe(200);
    expect(await lifecycle(a, site, 'uninstalled')).toBe(204);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await page(b, site)).toBe(401);
  });
});
