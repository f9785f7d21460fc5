import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServer } from '../../scripts/stack';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { FakeKeys, install, newSite, sessionFor, startAppWithProduct, type Site } from '../support/product';

/**
 * The admin page's data controls as the page calls them: with the session token the admin
 * page route issued (data-lifecycle.test.ts covers context JWTs). Site admins export and
 * delete; anyone else, or an admin demoted since the page loaded, is refused and nothing changes.
 */
let app: AppServer;
const product = new FakeProduct();
const keys = new FakeKeys();
let site: Site;
let host: string;
const ADMIN = 'acc-dc-admin';
const USER = 'acc-dc-user';

beforeAll(async () => {
  app = await startAppWithProduct(product, keys, {
    PURGE_INTERVAL_MINUTES: '0',
    GDPR_REPORT_INTERVAL_HOURS: '0',
    // A healthy local product: a slow machine must not turn a complete answer into a degraded one.
    PRODUCT_RENDER_BUDGET_MS: '10000',
  });
  site = newSite(product.url);
  host = new URL(product.url).host;
  product.sites.push(site);
  product.admins.add(ADMIN);
  await install(app.url, keys, site);
});
afterAll(async () => {
  await app?.stop();
  await product.stop();
  await keys.stop();
});

async function call(method: string, path: string, auth: string, body?: unknown) {
  const res = await fetch(app.url + path, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : undefined };
}

const adminPage = async (accountId: string, lic: 'active' | 'none' = 'active') => `Bearer ${(await sessionFor(app.url, site, accountId, { lic }, '/admin')).token}`;

async function addItem(text: string): Promise<void> {
  const panel = `Bearer ${(await sessionFor(app.url, site, USER, { issueId: '40001' })).token}`;
  expect((await call('POST', '/api/checklists/40001/items', panel, { text })).status).toBe(201);
}

describe('data controls from the admin page session', () => {
  it('an ordinary user sees them off and is refused export and delete; nothing changes', async () => {
    await addItem('Belongs to the site');
    const auth = await adminPage(USER);
    const summary = await call('GET', '/api/admin/data', auth);
    expect(summary.json).toEqual({ siteHost: host, retentionDays: 30, canManage: false, links: { privacy: '/privacy', security: '/security' } });
    const exp = await call('GET', '/api/admin/data/export', auth);
    expect(exp.status).toBe(403);
    expect(exp.json.error.code).toBe('ADMIN_REQUIRED');
    expect(exp.headers.get('content-disposition')).toBeNull();
    const del = await call('POST', '/api/admin/data/delete-all', auth, { confirm: host });
    expect(del.status).toBe(403);
    expect(del.json.error.code).toBe('ADMIN_REQUIRED');
    expect((await call('GET', '/api/settings', await adminPage(ADMIN))).json.summary.items).toBeGreaterThan(0);
  });

  it('an admin demoted since the page loaded is refused: the check is live, not the cached answer', async () => {
    const demoted = 'acc-dc-demoted';
    product.admins.add(demoted);
    const auth = await adminPage(demoted);
    expect((await call('GET', '/api/admin/data', auth)).json.canManage).toBe(true); // cached "yes" for a minute
    product.admins.delete(demoted);
    expect((await call('GET', '/api/admin/data/export', auth)).status).toBe(403);
    expect((await call('POST', '/api/admin/data/delete-all', auth, { confirm: host })).status).toBe(403);
  });

  it('a site admin exports a JSON attachment and deletes everything after typing the host, even without a license', async () => {
    await addItem('Exported, then deleted');
    const auth = await adminPage(ADMIN, 'none');
    expect((await call('GET', '/api/admin/data', auth)).json).toMatchObject({ canManage: true, siteHost: host });
    const exp = await call('GET', '/api/admin/data/export', auth);
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-disposition')).toMatch(/^attachment; filename="checklists-.+\.json"$/);
    expect(JSON.parse(exp.text).checklistItems.map((i: { text: string }) => i.text)).toContain('Exported, then deleted');

    expect((await call('POST', '/api/admin/data/delete-all', auth, { confirm: 'not-this-site.atlassian.net' })).status).toBe(422);
    const del = await call('POST', '/api/admin/data/delete-all', auth, { confirm: host });
    expect(del.status).toBe(200);
    expect(del.json.deleted.checklistItems).toBeGreaterThanOrEqual(2);
    // The page reloads its overview after deleting: the summary is empty, the installation stays.
    const overview = await call('GET', '/api/settings', auth);
    expect(overview.json.summary).toEqual({ issues: 0, items: 0, checked: 0, usersWithPreferences: 0 });
  });
});
