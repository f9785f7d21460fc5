import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HSTS_MAX_AGE_SECONDS } from '@/lib/policies/facts';
import type { AppServer } from '../../scripts/stack';
import { testDatabaseKind } from '../support/database';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { contextToken, FakeKeys, install, newSite, sessionFor, startAppWithProduct, type Site } from '../support/product';

/**
 * Data lifecycle over real HTTP against the built app: the published policies state the
 * running configuration (RETENTION_DAYS=45 here), and the admin data controls (export,
 * delete all) are for the product's site admins only.
 */
let app: AppServer;
const product = new FakeProduct();
const keys = new FakeKeys();
let site: Site;
const ADMIN = 'acc-data-admin';
const USER = 'acc-data-user';

beforeAll(async () => {
  app = await startAppWithProduct(product, keys, {
    RETENTION_DAYS: '45',
    PURGE_INTERVAL_MINUTES: '0',
    GDPR_REPORT_INTERVAL_HOURS: '0',
    SECURITY_CONTACT: 'security@vendor.example',
    // A healthy local product: a slow machine must not turn a complete answer into a degraded one.
    PRODUCT_RENDER_BUDGET_MS: '10000',
  });
  site = newSite(product.url);
  product.sites.push(site);
  product.admins.add(ADMIN);
  await install(app.url, keys, site);
});
afterAll(async () => {
  await app?.stop();
  await product.stop();
  await keys.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(app.url + path, { headers });
const jwt = async (accountId?: string, issueId?: string) => `JWT ${await contextToken(site, accountId, { issueId })}`;
/** A session of the admin page (its data controls' calls carry it). */
const adminPage = async (accountId: string) => `Bearer ${(await sessionFor(app.url, site, accountId, {}, '/admin')).token}`;
async function api(method: string, path: string, auth: string | undefined, body?: unknown) {
  const res = await fetch(app.url + path, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('published policies', () => {
  it('/privacy states the configured retention (45 days) in the reader’s language', async () => {
    const en = await get('/privacy');
    expect(en.status).toBe(200);
    const html = await en.text();
    expect(html).toContain('kept for 45 days');
    expect(html).toContain('lang="en"');
    expect(html).not.toContain('30 days');
    const de = await (await get('/privacy?lang=de', { 'accept-language': 'ja' })).text();
    expect(de).toContain('45 Tage');
    expect(de).toContain('lang="de"');
    const ja = await (await get('/privacy', { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' })).text();
    expect(ja).toContain('45 日間');
    const pt = await (await get('/privacy?lang=pt-BR')).text();
    expect(pt).toContain('45 dias');
  });

  it('/security states the database kind, secret encryption, HSTS and the contact', async () => {
    const res = await get('/security?lang=en');
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBe(`max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`);
    expect(res.headers.get('cache-control') ?? '').not.toMatch(/s-maxage|public/);
    const html = await res.text();
    expect(html).toContain('AES-256-GCM');
    expect(html).toContain(testDatabaseKind === 'postgres' ? 'a PostgreSQL database operated for the app' : 'PGlite');
    expect(html).toContain('href="mailto:security@vendor.example"');
    expect(html).toContain(`for ${Math.round(HSTS_MAX_AGE_SECONDS / 86_400)} days`);
    for (const lang of ['fr', 'es']) expect(await (await get(`/security?lang=${lang}`)).text()).toContain('AES-256-GCM');
  });

  it('the descriptor links to both', async () => {
    const d = (await (await get('/atlassian-connect.json')).json()) as { links?: Record<string, string> };
    expect(d.links?.privacy).toMatch(/\/privacy$/);
    expect(d.links?.security).toMatch(/\/security$/);
  });
});

describe('admin data controls', () => {
  it('tells the admin page the host to confirm, the retention and who may manage', async () => {
    const admin = await api('GET', '/api/admin/data', await jwt(ADMIN));
    expect(JSON.parse(admin.text)).toEqual({ siteHost: new URL(product.url).host, retentionDays: 45, canManage: true, links: { privacy: '/privacy', security: '/security' } });
    expect(JSON.parse((await api('GET', '/api/admin/data', await jwt(USER))).text).canManage).toBe(false);
  });

  it('export and delete-all are for site admins only, from the admin page', async () => {
    expect((await api('GET', '/api/admin/data/export', undefined)).status).toBe(401);
    const forbidden = await api('GET', '/api/admin/data/export', await adminPage(USER));
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.text).error.code).toBe('ADMIN_REQUIRED');
    expect((await api('POST', '/api/admin/data/delete-all', await adminPage(USER), { confirm: new URL(product.url).host })).status).toBe(403);
    // Not with a context JWT, nor a panel's session: not even a site admin's.
    for (const auth of [await jwt(ADMIN), await jwt(), `Bearer ${(await sessionFor(app.url, site, ADMIN)).token}`]) {
      const r = await api('POST', '/api/admin/data/delete-all', auth, { confirm: new URL(product.url).host });
      expect([r.status, JSON.parse(r.text).error.code]).toEqual([403, 'SESSION_REQUIRED']);
    }
  });

  it('exports the site’s data as a JSON download, then deletes it all after confirmation', async () => {
    const user = await jwt(USER, '10001'); // as the issue panel on issue 10001 holds it
    expect((await api('POST', '/api/checklists/10001/items', user, { text: 'Check the logs' })).status).toBe(201);
    expect((await api('PUT', '/api/preferences', user, { hideCompleted: true })).status).toBe(200);

    const admin = await adminPage(ADMIN);
    const exp = await api('GET', '/api/admin/data/export', admin);
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-type')).toMatch(/^application\/json/);
    expect(exp.headers.get('content-disposition')).toMatch(/^attachment; filename="checklists-127\.0\.0\.1_\d+-\d{4}-\d{2}-\d{2}\.json"$/);
    const data = JSON.parse(exp.text);
    expect(data.format).toBe('connect-checklists-export');
    expect(data.site.clientKey).toBe(site.clientKey);
    expect(data.checklistItems.map((i: { text: string }) => i.text)).toContain('Check the logs');
    expect(data.preferences).toEqual([expect.objectContaining({ accountId: USER, data: { hideCompleted: true } })]);
    expect(exp.text).not.toContain(site.sharedSecret);
    expect(exp.text).not.toContain('sharedSecretEnc');

    const wrong = await api('POST', '/api/admin/data/delete-all', admin, { confirm: 'another-site.atlassian.net' });
    expect(wrong.status).toBe(422);
    expect((await api('POST', '/api/admin/data/delete-all', admin, {})).status).toBe(422);
    expect(JSON.parse((await api('GET', '/api/admin/data/export', admin)).text).checklistItems).toHaveLength(1);

    const del = await api('POST', '/api/admin/data/delete-all', admin, { confirm: new URL(product.url).host.toUpperCase() });
    expect(del.status).toBe(200);
    expect(JSON.parse(del.text).deleted).toMatchObject({ checklistItems: 1, preferences: 1 });
    const after = JSON.parse((await api('GET', '/api/admin/data/export', admin)).text);
    expect([after.checklistItems, after.preferences, after.checklistStates, after.userProfiles]).toEqual([[], [], [], []]);
    // The installation stays: the app keeps working for the site.
    expect(after.site.clientKey).toBe(site.clientKey);
    expect((await api('GET', '/api/context', user)).status).toBe(200);
    expect(JSON.parse((await api('GET', '/api/checklists/10001', user)).text).items).toEqual([]);
  });
});
