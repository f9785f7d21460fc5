import { randomBytes, randomUUID } from 'node:crypto';
import { createConnect, type Connect, type ConnectRuntime } from 'atlassian-connect-next';
import { createForge, type Forge } from 'atlassian-connect-next/forge';
import { PrismaForgeInstallations, PrismaTenantStore } from 'atlassian-connect-next/prisma';
import { ForgeJwksServer, installationAri, newForgeKey, signInvocationToken, signSymmetricToken, type ForgeKey } from 'atlassian-connect-next/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '@/test/support/database';
import { DAY, memoryLog, TEST_SECRET_KEY } from '@/test/support/seed';
import { purgeExpiredTenants } from './purge';

/**
 * "Lifecycle after adoption" (issue 7), with the app's retention purge and database: on Forge,
 * `enabled`/`disabled` are no longer sent, `installed` is not sent on automatic updates, and the
 * switch to Forge drops the Connect installation without `uninstalled`. Each case below shows the
 * app stays correct without them.
 * https://developer.atlassian.com/platform/adopting-forge-from-connect/limitations-and-differences
 */

const APP = 'https://app.example.com';
const APP_ID = randomUUID();
const APP_KEY = 'com.example.connect-checklists';
let db: TestDb;
let store: ConnectRuntime['store'];
let connect: Connect;
let jwks: ForgeJwksServer;
let key: ForgeKey;
let forge: Forge;
const log = memoryLog();

/** The app's Connect and Forge sides over this database, through the framework's public API. */
function build(o: { production?: boolean; trustProxy?: number } = {}): { connect: Connect; forge: Forge } {
  const c = createConnect({
    app: { key: APP_KEY, name: 'Checklists', description: 'test', vendor: { name: 'v', url: 'https://v.example' }, scopes: ['READ'], modules: {} },
    baseUrl: APP,
    secretKey: TEST_SECRET_KEY,
    store: new PrismaTenantStore(db.prisma),
    production: o.production,
    auth: { leewaySeconds: 30, tenantCacheTtlMs: 0, trustProxy: o.trustProxy },
    licenseWhenAbsent: 'unlicensed',
    log,
  });
  return { connect: c, forge: createForge(c, { appId: APP_ID, jwksUrl: jwks.url, installations: new PrismaForgeInstallations(db.prisma) }) };
}

beforeAll(async () => {
  db = await openTestDb();
  jwks = new ForgeJwksServer();
  key = await newForgeKey();
  jwks.add(key);
  await jwks.start();
  ({ connect, forge } = build());
  store = connect.runtime.store;
});
afterAll(async () => {
  await jwks?.stop();
  await db?.close();
});

interface Site {
  clientKey: string;
  cloudId: string;
  baseUrl: string;
  sharedSecret: string;
  installationId: string;
}

async function connectInstall(at = new Date(), over: Partial<Site> & { productType?: string; noCloudId?: boolean } = {}): Promise<Site> {
  const site: Site = {
    clientKey: `ck-${randomUUID()}`,
    cloudId: randomUUID(),
    baseUrl: `https://s-${randomUUID().slice(0, 8)}.atlassian.net`,
    sharedSecret: randomBytes(32).toString('base64url'),
    installationId: installationAri(),
    ...over,
  };
  await store.upsertInstall(
    { clientKey: site.clientKey, appKey: APP_KEY, sharedSecret: site.sharedSecret, baseUrl: site.baseUrl, productType: over.productType ?? 'jira', cloudId: over.noCloudId ? null : site.cloudId },
    at,
  );
  return site;
}

const fit = (site: Site, over: { siteUrl?: string; product?: 'jira' | 'confluence'; installationId?: string } = {}) =>
  signInvocationToken({ key, appId: APP_ID, installationId: over.installationId ?? site.installationId, cloudId: site.cloudId, siteUrl: over.siteUrl, product: over.product });

const post = async (path: string, token: string) =>
  new Request(`${APP}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"payload":{}}' });
const route = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

const lifecycle = async (event: 'installed' | 'upgraded', token: string) => forge.lifecycleRoute(await post(`/forge/lifecycle/${event}`, token), route({ event }));
const callRemote = async (token: string) =>
  forge.withForgeAuth((_req, ctx) => Response.json({ clientKey: ctx.clientKey, installationId: ctx.installationId, license: ctx.license }))(await post('/forge/remote', token), route());

/** A Connect page load as the product makes it; answers who the app saw, or its error code. */
async function page(site: Site, path = '/general'): Promise<{ status: number; clientKey?: string; code?: string }> {
  const url = `${APP}${path}?xdm_e=${encodeURIComponent(site.baseUrl)}`;
  const jwt = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, url, baseUrl: APP, accountId: 'acc-1' });
  const res = await connect.withPageAuth((_req, ctx) => Response.json({ clientKey: ctx.clientKey }))(new Request(`${url}&jwt=${jwt}`), route());
  const body = (await res.json()) as { clientKey?: string; error?: { code: string } };
  return { status: res.status, clientKey: body.clientKey, code: body.error?.code };
}

async function api(site: Site): Promise<{ status: number; clientKey?: string }> {
  const ctxJwt = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, qsh: 'context-qsh', accountId: 'acc-1' });
  const res = await connect.withApiAuth((_req, ctx) => Response.json({ clientKey: ctx.clientKey }))(new Request(`${APP}/api/context`, { headers: { authorization: `JWT ${ctxJwt}` } }), route());
  return { status: res.status, ...((await res.json()) as { clientKey?: string }) };
}

describe('(a) a disabled flag never strands a tenant', () => {
  it('a tenant left disabled (Forge never sends `enabled` again) is still served, page and API', async () => {
    const site = await connectInstall();
    expect(await store.setEnabled(site.clientKey, false)).toBe(true);
    expect((await store.find(site.clientKey))?.enabled).toBe(false);
    expect(await page(site)).toMatchObject({ status: 200, clientKey: site.clientKey });
    expect(await api(site)).toMatchObject({ status: 200, clientKey: site.clientKey });
    expect((await callRemote(await fit(site))).status).toBe(200);
  });

  it('a Connect install re-enables it, and so does a Forge lifecycle event (no Connect `installed` needed)', async () => {
    const a = await connectInstall();
    await store.setEnabled(a.clientKey, false);
    await store.upsertInstall({ clientKey: a.clientKey, appKey: 'k', sharedSecret: a.sharedSecret, baseUrl: a.baseUrl, productType: 'jira', cloudId: a.cloudId }, new Date());
    expect((await store.find(a.clientKey))?.enabled).toBe(true);

    const b = await connectInstall();
    await store.setEnabled(b.clientKey, false);
    expect((await lifecycle('upgraded', await fit(b))).status).toBe(204);
    expect(await store.find(b.clientKey)).toMatchObject({ enabled: true, forgeInstallationId: b.installationId, sharedSecret: b.sharedSecret });
  });
});

describe('(c) Forge lifecycle events map onto the Connect tenant without a Connect `installed`', () => {
  it('the adoption event links the Forge installation to the tenant of the same site; later calls use the link', async () => {
    const site = await connectInstall();
    const res = await lifecycle('installed', await fit(site));
    expect(res.status).toBe(204);
    const t = await store.find(site.clientKey);
    expect(t).toMatchObject({ forgeInstallationId: site.installationId, uninstalledAt: null, sharedSecret: site.sharedSecret });
    expect(await db.prisma.lifecycleEvent.count({ where: { clientKey: site.clientKey, event: 'forge:installed', outcome: 'accepted' } })).toBe(1);
    // Connect iframes keep working on the same secret; Forge calls resolve to the same tenant.
    expect(await page(site)).toMatchObject({ status: 200, clientKey: site.clientKey });
    const r = await callRemote(await fit(site));
    expect(await r.json()).toMatchObject({ clientKey: site.clientKey, installationId: site.installationId, license: { licensed: false, param: 'absent' } });
  });

  it('an upgrade after a Forge reinstall moves the installation id; a site known only by URL gets its cloudId', async () => {
    const site = await connectInstall();
    await lifecycle('installed', await fit(site));
    const again = installationAri();
    expect((await lifecycle('upgraded', await fit(site, { installationId: again }))).status).toBe(204);
    expect((await store.find(site.clientKey))?.forgeInstallationId).toBe(again);

    const old = await connectInstall(new Date(), { noCloudId: true });
    expect((await store.find(old.clientKey))?.cloudId).toBeNull();
    // Backend events carry no site URL: nothing to match yet, so 202 and no change.
    expect((await lifecycle('installed', await fit(old))).status).toBe(202);
    // A UI invocation names the site: matched by baseUrl, cloudId recorded for next time.
    expect((await callRemote(await fit(old, { siteUrl: old.baseUrl }))).status).toBe(200);
    expect(await store.find(old.clientKey)).toMatchObject({ cloudId: old.cloudId, forgeInstallationId: old.installationId });
    expect((await lifecycle('upgraded', await fit(old))).status).toBe(204);
  });

  it('a Forge event that beats the Connect install is accepted (202) and linked on the first call after it', async () => {
    const site: Site = { clientKey: `ck-${randomUUID()}`, cloudId: randomUUID(), baseUrl: 'https://early.atlassian.net', sharedSecret: 'x'.repeat(43), installationId: installationAri() };
    const early = await lifecycle('installed', await fit(site));
    expect(early.status).toBe(202);
    expect(await early.json()).toEqual({ linked: false });
    expect((await callRemote(await fit(site))).status).toBe(401);
    await connectInstall(new Date(), site);
    expect((await callRemote(await fit(site))).status).toBe(200);
    expect((await store.find(site.clientKey))?.forgeInstallationId).toBe(site.installationId);
  });

  it('Jira and Confluence on one site (one cloudId) map to their own tenants', async () => {
    const jira = await connectInstall();
    const conf = await connectInstall(new Date(), { cloudId: jira.cloudId, installationId: installationAri(), productType: 'confluence' });
    expect(await (await callRemote(await fit(jira))).json()).toMatchObject({ clientKey: jira.clientKey });
    expect(await (await callRemote(await fit(conf, { product: 'confluence' }))).json()).toMatchObject({ clientKey: conf.clientKey });
  });

  it('never revives a tenant uninstalled on Connect: that takes a signed Connect install with a fresh secret', async () => {
    const site = await connectInstall();
    await store.markUninstalled(site.clientKey, new Date());
    const res = await lifecycle('upgraded', await fit(site));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ linked: true, active: false });
    expect((await store.find(site.clientKey))?.uninstalledAt).not.toBeNull();
    expect(await page(site)).toMatchObject({ status: 401, code: 'TENANT_UNINSTALLED' });
  });
});

describe('(b) retention never purges a site that is still calling', () => {
  it('an adopted site never sends a fresh Connect `installed`: with an old `uninstalled` on record it is still never a purge candidate', async () => {
    // Two sites with the same history: installed and marked uninstalled on Connect 400 days ago.
    const long = new Date(Date.now() - 400 * DAY);
    const adopted = await connectInstall(long);
    const control = await connectInstall(long);
    for (const s of [adopted, control]) await store.markUninstalled(s.clientKey, long);
    // Only `adopted` is switched to Forge: its Forge lifecycle event is all the app hears.
    expect((await lifecycle('installed', await fit(adopted))).status).toBe(202);
    const r = await purgeExpiredTenants({ prisma: db.prisma, now: new Date(), retentionDays: 30, log, dryRun: true });
    const candidates = r.candidates.map((c) => c.clientKey);
    expect(candidates).not.toContain(adopted.clientKey);
    expect(candidates).toContain(control.clientKey);
    expect(await store.find(adopted.clientKey)).not.toBeNull();
  });

  it('a site uninstalled past retention but still calling through Forge is kept; a silent one is purged', async () => {
    const long = new Date(Date.now() - 40 * DAY);
    const calling = await connectInstall(long);
    const silent = await connectInstall(long);
    await store.markUninstalled(calling.clientKey, long);
    await store.markUninstalled(silent.clientKey, long);
    // Linked long ago (so this call is a plain touch, not a new link).
    await db.prisma.tenant.update({ where: { clientKey: calling.clientKey }, data: { forgeInstallationId: calling.installationId } });
    // The Forge call is authenticated and touches lastSeenAt (the purge's "still calling" guard).
    expect((await callRemote(await fit(calling))).status).toBe(200);
    // The touch is off the request path: wait for it rather than race it.
    await expect.poll(async () => (await store.find(calling.clientKey))?.lastSeenAt?.getTime() ?? 0, { timeout: 20_000 }).toBeGreaterThan(Date.now() - 60_000);
    const r = await purgeExpiredTenants({ prisma: db.prisma, now: new Date(), retentionDays: 30, log });
    expect(r.stillCalling).toBeGreaterThanOrEqual(1);
    expect(await store.find(calling.clientKey)).not.toBeNull();
    expect(await store.find(silent.clientKey)).toBeNull();
  });
});

describe('transport', () => {
  it('in production a Forge call must arrive over https, as the trusted proxy says', async () => {
    const site = await connectInstall();
    const token = await fit(site);
    const call = (trustProxy: number, proto?: string) =>
      build({ production: true, trustProxy }).forge.withForgeAuth(() => new Response('ok'))(
        new Request('http://app.internal/forge/remote', { headers: { authorization: `Bearer ${token}`, ...(proto ? { 'x-forwarded-proto': proto } : {}) } }),
        route(),
      );
    const plain = await call(0);
    expect(plain.status).toBe(403);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('HTTPS_REQUIRED');
    // with no trusted proxy a client's header proves nothing
    expect((await call(0, 'https')).status).toBe(403);
    expect((await call(1, 'http')).status).toBe(403);
    expect((await call(1, 'https')).status).toBe(200);
  });
});
