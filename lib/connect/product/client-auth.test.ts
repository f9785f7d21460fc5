import { afterEach, describe, expect, it } from 'vitest';
import { ProductApiError } from './errors';
import { getMyself } from './reads';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf, TestClock } from '../testing';
import { fastClient } from '../testing/product-client';

const fakes: FakeProduct[] = [];
async function fake(overrides: Parameters<typeof newFakeSite>[0] = {}, clock?: TestClock): Promise<FakeProduct> {
  const f = new FakeProduct(newFakeSite(overrides), clock?.now);
  await f.start();
  fakes.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

describe('calling as the app', () => {
  it('sends Authorization: JWT with iss, a short exp and the qsh of the exact request', async () => {
    const site = await fake();
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const client = fastClient(dir, site);
    const res = await client.asApp(site.site.clientKey).request<{ auth: string; query: Record<string, string> }>('/rest/test/echo?b=2', {
      query: { a: 'x y*~', list: ['2', '1'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.auth).toBe('jwt');
    expect(res.body.query).toMatchObject({ a: 'x y*~', b: '2' });
    expect(site.authFailures).toEqual([]);
    expect(site.requests[0]!.query.has('jwt')).toBe(false);
  });

  it('computes qsh relative to a baseUrl with a context path (Confluence /wiki)', async () => {
    const site = await fake({ basePath: '/wiki', productType: 'confluence' });
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const body = await fastClient(dir, site).asApp(site.site.clientKey).post<{ auth: string; path: string }>('/rest/test/echo', { hello: 1 });
    expect(body).toMatchObject({ auth: 'jwt', path: '/rest/test/echo' });
    expect(site.authFailures).toEqual([]);
  });

  it('can call a site-wide endpoint outside the context path (siteRoot), qsh still against the baseUrl', async () => {
    const site = await fake({ basePath: '/wiki', productType: 'confluence' });
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const rq = fastClient(dir, site).asApp(site.site.clientKey);
    await rq.request('/rest/test/echo', { method: 'POST', body: {}, siteRoot: true });
    await rq.get('/rest/test/echo');
    expect(site.requests.map((r) => r.fullPath)).toEqual(['/rest/test/echo', '/wiki/rest/test/echo']);
    expect(site.authFailures).toEqual([]);
  });

  it('is refused by the product when signed with a stale secret (the fake really verifies)', async () => {
    const site = await fake();
    const dir = new TenantDirectory();
    dir.put(tenantOf(site, { sharedSecret: 'not-the-secret-not-the-secret-00' }));
    const err = await fastClient(dir, site).asApp(site.site.clientKey).get('/rest/test/echo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProductApiError);
    expect((err as ProductApiError).kind).toBe('auth');
    expect((err as ProductApiError).status).toBe(401);
    expect(site.authFailures[0]).toMatch(/signature/);
  });

  it('uses the CURRENT baseUrl: a site moved between two calls is called at its new address', async () => {
    const old = await fake();
    const moved = new FakeProduct({ ...old.site, basePath: '/moved' });
    await moved.start();
    fakes.push(moved);
    const dir = new TenantDirectory();
    dir.put(tenantOf(old));
    const client = fastClient(dir, old);
    const rq = client.asApp(old.site.clientKey);
    await rq.get('/rest/test/echo');
    dir.put(tenantOf(moved)); // e.g. a re-install with a new baseUrl
    await rq.get('/rest/test/echo');
    expect(old.count('/rest/test/echo')).toBe(1);
    expect(moved.count('/rest/test/echo')).toBe(1);
    expect(moved.authFailures).toEqual([]); // qsh computed against the new base path
  });

  it('refuses to send credentials to a baseUrl outside the allow-list, and to unknown or uninstalled tenants', async () => {
    const site = await fake();
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const strict = fastClient(dir, site, { isAllowedBaseUrl: (u) => u.startsWith('https://') });
    await expect(strict.asApp(site.site.clientKey).get('/rest/test/echo')).rejects.toMatchObject({ kind: 'not_installed' });
    const client = fastClient(dir, site);
    await expect(client.asApp('nobody').get('/rest/test/echo')).rejects.toMatchObject({ kind: 'not_installed', attempts: 0 });
    dir.put(tenantOf(site, { uninstalledAt: new Date() }));
    await expect(client.asApp(site.site.clientKey).get('/rest/test/echo')).rejects.toMatchObject({ kind: 'not_installed' });
    expect(site.requests).toHaveLength(0);
  });

  it('rejects a path that would leave the tenant baseUrl', async () => {
    const site = await fake({ basePath: '/wiki' });
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const rq = fastClient(dir, site).asApp(site.site.clientKey);
    await expect(rq.get('https://evil.example/x')).rejects.toThrow(TypeError);
    await expect(rq.get('//evil.example/x')).rejects.toThrow(TypeError);
    await expect(rq.get('/../admin')).rejects.toThrow(TypeError);
    expect(site.requests).toHaveLength(0);
  });
});

describe('calling as a user (OAuth 2 JWT bearer grant)', () => {
  it('gets a token with the documented assertion and calls with Authorization: Bearer', async () => {
    const site = await fake();
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const me = await getMyself(fastClient(dir, site).asUser(site.site.clientKey, 'user-1', ['read', 'ACT_AS_USER']));
    expect(me).toMatchObject({ accountId: 'user-1', displayName: 'Ada Lovelace' });
    expect(site.authFailures).toEqual([]); // iss, sub, tnt, aud and signature checked by the fake
    expect(site.grants).toEqual([{ accountId: 'user-1', scopes: ['ACT_AS_USER', 'READ'] }]);
    expect(site.requests.at(-1)).toMatchObject({ auth: 'bearer', accountId: 'user-1' });
  });

  it('caches the token per (tenant, user, scopes), shares one grant between concurrent calls, and refreshes before expiry', async () => {
    const clock = new TestClock();
    const site = await fake({}, clock);
    site.tokenTtlSeconds = 900;
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const client = fastClient(dir, site, { now: clock.now, tokenRefreshSkewMs: 60_000 });
    const ck = site.site.clientKey;
    await Promise.all([1, 2, 3].map(() => client.asUser(ck, 'user-1').get('/rest/test/echo')));
    expect(site.grants).toHaveLength(1);
    await client.asUser(ck, 'user-1', ['READ', 'WRITE']).get('/rest/test/echo');
    await client.asUser(ck, 'admin-1').get('/rest/test/echo');
    expect(site.grants).toHaveLength(3);

    clock.advance(800_000); // 100 s left: still outside the 60 s refresh margin
    await client.asUser(ck, 'user-1').get('/rest/test/echo');
    expect(site.grants).toHaveLength(3);
    clock.advance(50_000); // 50 s left: refreshed before it can expire in flight
    await client.asUser(ck, 'user-1').get('/rest/test/echo');
    expect(site.grants).toHaveLength(4);
    clock.advance(1_000_000); // every token expired: the next call works with a new one
    await client.asUser(ck, 'user-1').get('/rest/test/echo');
    expect(site.grants).toHaveLength(5);
    expect(site.authFailures).toEqual([]);
  });

  it('asks for a new token when the site moved (tnt is the baseUrl)', async () => {
    const site = await fake();
    const moved = new FakeProduct({ ...site.site, basePath: '/moved' });
    await moved.start();
    fakes.push(moved);
    const dir = new TenantDirectory();
    dir.put(tenantOf(site));
    const client = fastClient(dir, site);
    await client.asUser(site.site.clientKey, 'user-1').get('/rest/test/echo');
    dir.put(tenantOf(moved));
    // the moved fake is its own auth server here; point the client at it
    const client2 = fastClient(dir, moved);
    await client2.asUser(site.site.clientKey, 'user-1').get('/rest/test/echo');
    expect(moved.grants).toHaveLength(1);
    expect(moved.authFailures).toEqual([]);
  });

  it('fails with kind auth when the grant is refused or the tenant has no oauthClientId', async () => {
    const site = await fake();
    const dir = new TenantDirectory();
    dir.put(tenantOf(site, { oauthClientId: 'someone-else' }));
    const client = fastClient(dir, site);
    await expect(client.asUser(site.site.clientKey, 'user-1').get('/rest/test/echo')).rejects.toMatchObject({ kind: 'auth', status: 401 });
    dir.put(tenantOf(site, { oauthClientId: null }));
    await expect(client.asUser(site.site.clientKey, 'user-1').get('/rest/test/echo')).rejects.toMatchObject({ kind: 'auth' });
    expect(site.requests).toHaveLength(0);
  });
});
