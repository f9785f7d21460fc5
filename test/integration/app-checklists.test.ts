import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServer } from '../../scripts/stack';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { contextToken, FakeKeys, install, newSite, pageUrl, readBootstrap, sessionFor, startAppWithProduct, type Site } from '../support/product';

/**
 * The reference app's checklist API and panel page over real HTTP against the built app:
 * CRUD, limits, two users at once, license on every write, tenant isolation, locale.
 */
let app: AppServer;
const product = new FakeProduct();
const keys = new FakeKeys();
let siteA: Site;
let siteB: Site;

const ALICE = 'acc-alice';
const BOB = 'acc-bob';

async function call(method: string, path: string, auth: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(app.url + path, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const bearer = async (site: Site, accountId: string, params = {}) => `Bearer ${(await sessionFor(app.url, site, accountId, params)).token}`;

beforeAll(async () => {
  app = await startAppWithProduct(product, keys, {
    LICENSE_WHEN_ABSENT: 'unlicensed',
    // A healthy local product: a slow machine must not turn a complete answer into a degraded one.
    PRODUCT_RENDER_BUDGET_MS: '10000',
  });
  siteA = newSite(product.url);
  siteB = newSite(product.url);
  product.sites.push(siteA, siteB);
  product.users.set(ALICE, { displayName: 'Alice Example' }).set(BOB, { displayName: 'Bob Example' });
  await install(app.url, keys, siteA);
  await install(app.url, keys, siteB);
});

afterAll(async () => {
  await app?.stop();
  await product.stop();
  await keys.stop();
});

describe('panel page', () => {
  it('serves the shell with lang, bootstrap and a session token for a valid page JWT', async () => {
    const { html, boot } = await sessionFor(app.url, siteA, ALICE, { loc: 'de-DE', tz: 'Europe/Berlin' });
    expect(html).toMatch(/<html[^>]*lang="de"/);
    expect(html).toContain('class="ac-content"');
    expect(boot).toMatchObject({ locale: 'de', localeSource: 'loc', timeZone: 'Europe/Berlin', license: { param: 'active', licensed: true }, accountId: ALICE });
    expect(boot.sessionToken.split('.')).toHaveLength(3);
    expect((boot.site as { manageAppsUrl: string }).manageAppsUrl).toBe(`${product.url}/plugins/servlet/upm`);
  });

  it('refuses a page load without a JWT, with a context token, or with a token for another URL', async () => {
    expect((await fetch(`${app.url}/panel/issue?issueId=1`)).status).toBe(401);
    expect((await fetch(`${app.url}/panel/issue?issueId=1&jwt=${await contextToken(siteA, ALICE)}`)).status).toBe(401);
    const other = new URL(await pageUrl(app.url, siteA, '/panel/issue', { accountId: ALICE, params: { issueId: '1' } }));
    other.searchParams.set('issueId', '2'); // not what the product signed
    expect((await fetch(other)).status).toBe(401);
  });

  it('picks the language: loc, then Accept-Language, else English; unknown tz is dropped', async () => {
    expect((await sessionFor(app.url, siteA, ALICE, { loc: 'pt-BR' })).boot.locale).toBe('pt-BR');
    expect((await sessionFor(app.url, siteA, ALICE, { loc: 'xx-YY', tz: 'Mars/Olympus' })).boot).toMatchObject({ locale: 'en' });
    const res = await fetch(await pageUrl(app.url, siteA, '/panel/issue', { accountId: ALICE, params: { issueId: '5' } }), { headers: { 'accept-language': 'ja-JP,ja;q=0.9' } });
    const boot = readBootstrap(await res.text());
    expect(boot).toMatchObject({ locale: 'ja', localeSource: 'header' });
    expect(boot.timeZone).toBeUndefined();
  });

  it('serves descriptor translations keyed by product locale', async () => {
    const d = (await (await fetch(`${app.url}/atlassian-connect.json`)).json()) as { translations: { paths: Record<string, string> } };
    expect(d.translations.paths['de-DE']).toBe('/i18n/de.json');
    const de = (await (await fetch(`${app.url}/i18n/de.json`)).json()) as Record<string, string>;
    expect(de['checklist.panel.name']).toBe('Checkliste');
    expect((await fetch(`${app.url}/i18n/xx.json`)).status).toBe(404);
  });
});

describe('checklist API', () => {
  it('adds, edits, checks, reorders and deletes items; who checked it comes from the product', async () => {
    const auth = await bearer(siteA, ALICE, { issueId: '20001' });
    const base = '/api/checklists/20001';
    expect((await call('GET', base, auth)).json).toMatchObject({ enabled: true, items: [], readOnly: false });
    const a = await call('POST', `${base}/items`, auth, { text: '  Write tests \n' });
    expect(a.status).toBe(201);
    expect(a.json.item).toMatchObject({ text: 'Write tests', checked: false, version: 1 });
    const b = (await call('POST', `${base}/items`, auth, { text: 'Ship it' })).json.item;
    const c = (await call('POST', `${base}/items`, auth, { text: 'Celebrate' })).json.item;

    const edited = await call('PATCH', `${base}/items/${b.id}`, auth, { version: 1, text: 'Ship it carefully' });
    expect(edited.json.item).toMatchObject({ text: 'Ship it carefully', version: 2 });
    const checked = await call('PATCH', `${base}/items/${a.json.item.id}`, auth, { version: 1, checked: true });
    expect(checked.json.item).toMatchObject({ checked: true, checkedBy: ALICE });
    expect(Date.parse(checked.json.item.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(checked.json.people).toEqual({ [ALICE]: 'Alice Example' });

    expect((await call('POST', `${base}/items/${c.id}/move`, auth, { afterId: null })).status).toBe(200);
    expect((await call('POST', `${base}/items/${a.json.item.id}/move`, auth, { afterId: b.id })).status).toBe(200);
    const list = (await call('GET', base, auth)).json;
    expect(list.items.map((i: { text: string }) => i.text)).toEqual(['Celebrate', 'Ship it carefully', 'Write tests']);
    expect(list.people[ALICE]).toBe('Alice Example');

    const unchecked = await call('PATCH', `${base}/items/${a.json.item.id}`, auth, { version: 2, checked: false });
    expect(unchecked.json.item).toMatchObject({ checked: false, checkedBy: null, checkedAt: null });
    expect((await call('DELETE', `${base}/items/${c.id}?version=1`, auth)).status).toBe(204);
    expect((await call('DELETE', `${base}/items/${c.id}?version=1`, auth)).status).toBe(404);
    expect((await call('GET', base, auth)).json.items).toHaveLength(2);
  });

  it('keeps both changes when two users edit different items, and answers 409 with the current item on the same one', async () => {
    const alice = await bearer(siteA, ALICE, { issueId: '20002' });
    const bob = await bearer(siteA, BOB, { issueId: '20002' });
    const base = '/api/checklists/20002';
    const one = (await call('POST', `${base}/items`, alice, { text: 'one' })).json.item;
    const two = (await call('POST', `${base}/items`, alice, { text: 'two' })).json.item;
    const [ra, rb] = await Promise.all([
      call('PATCH', `${base}/items/${one.id}`, alice, { version: 1, text: 'one by alice' }),
      call('PATCH', `${base}/items/${two.id}`, bob, { version: 1, checked: true }),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const items = (await call('GET', base, bob)).json.items;
    expect(items).toMatchObject([{ text: 'one by alice', checked: false }, { text: 'two', checked: true, checkedBy: BOB }]);

    const stale = await call('PATCH', `${base}/items/${one.id}`, bob, { version: 1, text: 'one by bob' });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('CONFLICT');
    expect(stale.json.current).toMatchObject({ id: one.id, text: 'one by alice', version: 2 });
    expect((await call('DELETE', `${base}/items/${one.id}?version=1`, bob)).status).toBe(409);
  });

  it('adds concurrently without losing or duplicating items', async () => {
    const alice = await bearer(siteA, ALICE, { issueId: '20003' });
    const bob = await bearer(siteA, BOB, { issueId: '20003' });
    const base = '/api/checklists/20003';
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => call('POST', `${base}/items`, i % 2 ? alice : bob, { text: `item ${i}` })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const texts = (await call('GET', base, alice)).json.items.map((i: { text: string }) => i.text).sort();
    expect(texts).toEqual(Array.from({ length: 12 }, (_, i) => `item ${i}`).sort());
  });

  it('enforces input limits with clear errors', async () => {
    const auth = await bearer(siteA, ALICE, { issueId: '20004' });
    const items = '/api/checklists/20004/items';
    const long = await call('POST', items, auth, { text: 'x'.repeat(501) });
    expect(long.status).toBe(422);
    expect(long.json.error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'text' }] });
    expect((await call('POST', items, auth, { text: '   ' })).status).toBe(422);
    expect((await call('POST', items, auth, { text: 'ok', extra: 1 })).status).toBe(422);
    expect((await call('POST', items, auth, '{"text":')).status).toBe(400);
    expect((await call('POST', items, auth, 'text=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const big = await call('POST', items, auth, { text: 'y', pad: 'z'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await call('GET', '/api/checklists/not-a-number', auth)).status).toBe(422);
    expect((await call('PATCH', '/api/checklists/20004/items/x', auth, { version: 1 })).status).toBe(422);
  });

  it('refuses the 201st item of a checklist', async () => {
    const auth = await bearer(siteA, ALICE, { issueId: '20005' });
    const items = '/api/checklists/20005/items';
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => call('POST', items, auth, { text: `n${i + j}` })));
      expect(batch.every((r) => r.status === 201)).toBe(true);
    }
    const over = await call('POST', items, auth, { text: 'one too many' });
    expect(over.status).toBe(422);
    expect(over.json.error.issues[0].path).toBe('items');
  }, 600_000); // 201 writes: two minutes on a loaded machine
});

describe('license on every request', () => {
  it('lic=none: reads work, every write is 403 LICENSE_REQUIRED', async () => {
    const licensed = await bearer(siteA, ALICE, { issueId: '20010' });
    const item = (await call('POST', '/api/checklists/20010/items', licensed, { text: 'keep me' })).json.item;
    const auth = await bearer(siteA, ALICE, { lic: 'none', issueId: '20010' });
    const read = await call('GET', '/api/checklists/20010', auth);
    expect(read.json).toMatchObject({ readOnly: true, license: { param: 'none', licensed: false } });
    expect(read.json.items).toHaveLength(1);
    const writes = await Promise.all([
      call('POST', '/api/checklists/20010/items', auth, { text: 'x' }),
      call('PATCH', `/api/checklists/20010/items/${item.id}`, auth, { version: 1, checked: true }),
      call('POST', `/api/checklists/20010/items/${item.id}/move`, auth, { afterId: null }),
      call('DELETE', `/api/checklists/20010/items/${item.id}?version=1`, auth),
      call('PUT', '/api/preferences', auth, { hideCompleted: true }),
    ]);
    for (const w of writes) expect([w.status, w.json.error.code]).toEqual([403, 'LICENSE_REQUIRED']);
    expect((await call('GET', '/api/checklists/20010', licensed)).json.items[0]).toMatchObject({ text: 'keep me', checked: false });
  });

  it('lic absent follows LICENSE_WHEN_ABSENT (unlicensed here)', async () => {
    const auth = await bearer(siteA, ALICE, { lic: undefined, issueId: '20011' });
    const r = await call('POST', '/api/checklists/20011/items', auth, { text: 'x' });
    expect([r.status, r.json.error.code]).toEqual([403, 'LICENSE_REQUIRED']);
  });

  it('context JWTs get their license from the product, not from anything the browser sends', async () => {
    const site = newSite(product.url);
    product.sites.push(site);
    product.licenses.set(site.clientKey, { active: false });
    await install(app.url, keys, site);
    const auth = `JWT ${await contextToken(site, ALICE, { issueId: '20012' })}`;
    const r = await call('POST', '/api/checklists/20012/items', auth, { text: 'x' }, { 'x-connect-license': 'active' });
    expect([r.status, r.json.error.code]).toEqual([403, 'LICENSE_REQUIRED']);
    const ok = await call('POST', '/api/checklists/20012/items', `JWT ${await contextToken(siteA, ALICE, { issueId: '20012' })}`, { text: 'x' });
    expect(ok.status).toBe(201);
    expect(product.requests.some((r) => r.site === site.clientKey && r.path.startsWith('/rest/atlassian-connect/1/addons/'))).toBe(true);
  });

  it('anonymous users can read but not write', async () => {
    const { token } = await sessionFor(app.url, siteA, '', { issueId: '20013' });
    const auth = `Bearer ${token}`;
    expect((await call('GET', '/api/checklists/20013', auth)).json.readOnly).toBe(true);
    const r = await call('POST', '/api/checklists/20013/items', auth, { text: 'x' });
    expect([r.status, r.json.error.code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('issue scope', () => {
  it('a token issued on one issue cannot read or change another issue of the same site', async () => {
    const onA = await bearer(siteA, ALICE, { issueId: '50001' });
    const item = (await call('POST', '/api/checklists/50001/items', onA, { text: 'only on 50001' })).json.item;
    const onB = await bearer(siteA, ALICE, { issueId: '50002' });
    for (const auth of [onB, `JWT ${await contextToken(siteA, ALICE, { issueId: '50002' })}`, `JWT ${await contextToken(siteA, ALICE)}`]) {
      const read = await call('GET', '/api/checklists/50001', auth);
      expect([read.status, read.json.error.code]).toEqual([403, 'FORBIDDEN']);
      expect((await call('PATCH', `/api/checklists/50001/items/${item.id}`, auth, { version: 1, text: 'changed' })).status).toBe(403);
      expect((await call('POST', '/api/checklists/50001/items', auth, { text: 'x' })).status).toBe(403);
    }
    // an admin-page session is not an issue session either
    const admin = `Bearer ${(await sessionFor(app.url, siteA, ALICE, {}, '/admin')).token}`;
    expect((await call('GET', '/api/checklists/50001', admin)).status).toBe(403);
    expect((await call('GET', '/api/checklists/50001', onA)).json.items).toMatchObject([{ text: 'only on 50001' }]);
  });
});

describe('tenant isolation', () => {
  it("one site's tokens never read or change another site's items, even with the right ids", async () => {
    const a = await bearer(siteA, ALICE, { issueId: '30001' });
    const item = (await call('POST', '/api/checklists/30001/items', a, { text: 'A secret' })).json.item;
    for (const b of [await bearer(siteB, ALICE, { issueId: '30001' }), `JWT ${await contextToken(siteB, ALICE, { issueId: '30001' })}`]) {
      expect((await call('GET', '/api/checklists/30001', b)).json.items).toEqual([]);
      expect((await call('PATCH', `/api/checklists/30001/items/${item.id}`, b, { version: 1, text: 'pwned' })).status).toBe(404);
      expect((await call('POST', `/api/checklists/30001/items/${item.id}/move`, b, { afterId: null })).status).toBe(404);
      expect((await call('DELETE', `/api/checklists/30001/items/${item.id}?version=1`, b)).status).toBe(404);
    }
    // A token naming site A but signed with site B's secret is not site A.
    const forged = `JWT ${await contextToken(siteA, ALICE, { secret: siteB.sharedSecret, issueId: '30001' })}`;
    expect((await call('GET', '/api/checklists/30001', forged)).status).toBe(401);
    expect((await call('GET', '/api/checklists/30001', a)).json.items).toMatchObject([{ id: item.id, text: 'A secret', version: 1 }]);
  });

  it('keeps preferences per (site, account) and across issues', async () => {
    const a1 = await bearer(siteA, ALICE, { issueId: '40001' });
    expect((await call('PUT', '/api/preferences', a1, { hideCompleted: true })).json).toEqual({ hideCompleted: true });
    expect((await call('GET', '/api/preferences', await bearer(siteA, ALICE, { issueId: '40002' }))).json).toEqual({ hideCompleted: true });
    expect((await call('GET', '/api/preferences', await bearer(siteA, BOB))).json).toEqual({ hideCompleted: false });
    expect((await call('GET', '/api/preferences', await bearer(siteB, ALICE))).json).toEqual({ hideCompleted: false });
    expect((await call('PUT', '/api/preferences', a1, { hideCompleted: 'yes' })).status).toBe(422);
  });
});
