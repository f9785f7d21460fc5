import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServer } from '../../scripts/stack';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { contextToken, FakeKeys, install, newSite, pageUrl, readBootstrap, sessionFor, startAppWithProduct, type Site } from '../support/product';

/**
 * The admin page and settings API over real HTTP: only the product's site admins write
 * settings; saved settings drive the panel (template once, project scope, who-checked).
 */
let app: AppServer;
const product = new FakeProduct();
const keys = new FakeKeys();
let site: Site;

const ADMIN = 'acc-admin';
const USER = 'acc-user';

const SETTINGS = {
  template: { enabled: true, items: ['Reproduce', 'Fix', 'Review'] },
  projects: { mode: 'all', keys: [] as string[] },
  showCheckedBy: true,
};

async function call(method: string, path: string, auth: string, body?: unknown) {
  const res = await fetch(app.url + path, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function adminSession(accountId: string, params: Record<string, string | undefined> = {}): Promise<string> {
  const res = await fetch(await pageUrl(app.url, site, '/admin', { accountId, params: { lic: 'active', loc: 'fr-FR', ...params } }));
  expect(res.status).toBe(200);
  return `Bearer ${readBootstrap(await res.text()).sessionToken}`;
}

beforeAll(async () => {
  app = await startAppWithProduct(product, keys, {
    LICENSE_WHEN_ABSENT: 'unlicensed',
    // A healthy local product: a slow machine must not turn a complete answer into a degraded one.
    PRODUCT_RENDER_BUDGET_MS: '10000',
  });
  site = newSite(product.url);
  product.sites.push(site);
  product.admins.add(ADMIN);
  product.licenses.set(site.clientKey, { active: true, evaluation: true });
  await install(app.url, keys, site);
});

afterAll(async () => {
  await app?.stop();
  await product.stop();
  await keys.stop();
});

describe('admin page', () => {
  it('serves the admin shell in the signed locale', async () => {
    const res = await fetch(await pageUrl(app.url, site, '/admin', { accountId: ADMIN, params: { lic: 'active', loc: 'fr-FR' } }));
    const html = await res.text();
    expect(html).toMatch(/<html[^>]*lang="fr"/);
    expect(readBootstrap(html)).toMatchObject({ module: 'admin', locale: 'fr' });
  });

  it('shows license (evaluation, from the product) and the data summary; canEdit only for admins', async () => {
    const overview = (await call('GET', '/api/settings', await adminSession(ADMIN))).json;
    expect(overview).toMatchObject({ version: 0, canEdit: true, license: { view: 'evaluation', param: 'active' }, summary: { issues: 0, items: 0 } });
    expect(overview.manageAppsUrl).toBe(`${product.url}/plugins/servlet/upm`);
    expect((await call('GET', '/api/settings', await adminSession(USER))).json.canEdit).toBe(false);
  });
});

describe('only site admins change settings', () => {
  it('settings are saved only from the admin page: a panel session or a context JWT gets 403 SESSION_REQUIRED, even an admin\'s', async () => {
    for (const who of [ADMIN, USER]) {
      const panelSession = `Bearer ${(await sessionFor(app.url, site, who)).token}`;
      const panelContext = `JWT ${await contextToken(site, who)}`;
      for (const auth of [panelSession, panelContext]) {
        const r = await call('PUT', '/api/settings', auth, { version: 0, settings: SETTINGS });
        expect([r.status, r.json.error.code]).toEqual([403, 'SESSION_REQUIRED']);
      }
    }
    expect((await call('GET', '/api/settings', await adminSession(ADMIN))).json.version).toBe(0);
  });

  it('an ordinary user on the admin page gets 403 ADMIN_REQUIRED, and nothing changes', async () => {
    const r = await call('PUT', '/api/settings', await adminSession(USER), { version: 0, settings: SETTINGS });
    expect([r.status, r.json.error.code]).toEqual([403, 'ADMIN_REQUIRED']);
    expect(product.requests.filter((r) => r.site && r.path === '/rest/api/3/permissions/check').length).toBeGreaterThan(0);
    expect((await call('GET', '/api/settings', await adminSession(ADMIN))).json.version).toBe(0);
  });

  it('an admin without an active license gets 403 LICENSE_REQUIRED', async () => {
    const r = await call('PUT', '/api/settings', await adminSession(ADMIN, { lic: 'none' }), { version: 0, settings: SETTINGS });
    expect([r.status, r.json.error.code]).toEqual([403, 'LICENSE_REQUIRED']);
  });

  it('validates settings with field-level errors', async () => {
    const auth = await adminSession(ADMIN);
    const bad = await call('PUT', '/api/settings', auth, { version: 0, settings: { ...SETTINGS, projects: { mode: 'listed', keys: [] } } });
    expect(bad.status).toBe(422);
    expect(bad.json.error.issues).toContainEqual(expect.objectContaining({ path: 'settings.projects.keys' }));
    const badKey = await call('PUT', '/api/settings', auth, { version: 0, settings: { ...SETTINGS, projects: { mode: 'listed', keys: ['not a key'] } } });
    expect(badKey.status).toBe(422);
    expect((await call('PUT', '/api/settings', auth, { version: 0, settings: { ...SETTINGS, extra: true } })).status).toBe(422);
  });

  it('an admin saves; a stale version answers 409 with the current settings', async () => {
    const auth = await adminSession(ADMIN);
    const saved = await call('PUT', '/api/settings', auth, { version: 0, settings: SETTINGS });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ version: 1, settings: SETTINGS });
    const stale = await call('PUT', '/api/settings', auth, { version: 0, settings: { ...SETTINGS, showCheckedBy: false } });
    expect(stale.status).toBe(409);
    expect(stale.json.current).toMatchObject({ version: 1, settings: { showCheckedBy: true } });
  });
});

describe('settings drive the panel', () => {
  it('applies the default checklist once; an emptied checklist is not refilled', async () => {
    const auth = `Bearer ${(await sessionFor(app.url, site, USER, { issueId: '50001' })).token}`;
    const [first, second] = await Promise.all([call('GET', '/api/checklists/50001', auth), call('GET', '/api/checklists/50001', auth)]);
    expect([first.json.templateApplied, second.json.templateApplied].filter(Boolean)).toHaveLength(1);
    const items = (await call('GET', '/api/checklists/50001', auth)).json.items;
    expect(items.map((i: { text: string }) => i.text)).toEqual(['Reproduce', 'Fix', 'Review']);
    for (const i of items) expect((await call('DELETE', `/api/checklists/50001/items/${i.id}?version=${i.version}`, auth)).status).toBe(204);
    expect((await call('GET', '/api/checklists/50001', auth)).json).toMatchObject({ items: [], templateApplied: false });
  });

  it('does not apply the template for a read-only (unlicensed) view', async () => {
    const auth = `Bearer ${(await sessionFor(app.url, site, USER, { issueId: '50002', lic: 'none' })).token}`;
    expect((await call('GET', '/api/checklists/50002', auth)).json).toMatchObject({ items: [], templateApplied: false });
  });

  it('limits the panel to listed projects and can hide who checked items', async () => {
    const admin = await adminSession(ADMIN);
    const current = (await call('GET', '/api/settings', admin)).json;
    const next = { template: { enabled: false, items: [] }, projects: { mode: 'listed', keys: ['abc', 'CHK'] }, showCheckedBy: false };
    const saved = await call('PUT', '/api/settings', admin, { version: current.version, settings: next });
    expect(saved.json.settings.projects.keys).toEqual(['ABC', 'CHK']);
    // The project is the one the product signed into the page URL, never one the client names.
    const other = `Bearer ${(await sessionFor(app.url, site, USER, { issueId: '50004', projectKey: 'OTHER', issueKey: 'OTHER-4' })).token}`;
    expect((await call('GET', '/api/checklists/50004', other)).json).toMatchObject({ enabled: false, items: [] });
    expect((await call('GET', '/api/checklists/50004?projectKey=CHK', other)).json).toMatchObject({ enabled: false, items: [] });
    const refused = await call('POST', '/api/checklists/50004/items', other, { text: 'x' });
    expect([refused.status, refused.json.error.code]).toEqual([403, 'FORBIDDEN']);
    const auth = `Bearer ${(await sessionFor(app.url, site, USER, { issueId: '50003' })).token}`;
    const item = (await call('POST', '/api/checklists/50003/items', auth, { text: 'x' })).json.item;
    const checked = await call('PATCH', `/api/checklists/50003/items/${item.id}`, auth, { version: 1, checked: true });
    expect(checked.json.item).toMatchObject({ checked: true, checkedBy: null, checkedAt: null });
    expect((await call('GET', '/api/checklists/50003?projectKey=OTHER', auth)).json).toMatchObject({ enabled: true, showCheckedBy: false, people: {} });
    const summary = (await call('GET', '/api/settings', admin)).json.summary;
    expect(summary).toMatchObject({ issues: 2, items: 1, checked: 1 });
  });
});
