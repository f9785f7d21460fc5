import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppServer } from '../../scripts/stack';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { FakeKeys, install, newSite, sessionFor, startAppWithProduct, type Site } from '../support/product';

/**
 * Issue 5, "Panels under faults", over real HTTP against the built app: whatever the product
 * does (slow, failing, down), the panel's and the admin page's reads answer within the render
 * budget with what the app has and say what is missing (`degraded`); the live data arrives in
 * the background for the next view; writes that need the product fail with a clear code and
 * change nothing; writes that do not need it go on.
 */
const BUDGET_MS = 500;
const SLOW_MS = 2_500;
/** Budget plus the app's own work on a shared 2-core machine: still the issue's 1.5 s target. */
const DEADLINE_MS = 1_500;
const BREAKER_OPEN_MS = 1_000;

let app: AppServer;
const product = new FakeProduct();
const keys = new FakeKeys();
let n = 0;

beforeAll(async () => {
  app = await startAppWithProduct(product, keys, {
    PRODUCT_RENDER_BUDGET_MS: String(BUDGET_MS),
    // A site's circuit opens after 5 failed calls; here it probes again after 1 s, not 30.
    PRODUCT_API_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS),
    PURGE_INTERVAL_MINUTES: '0',
    GDPR_REPORT_INTERVAL_HOURS: '0',
  });
});
afterEach(() => product.clearFaults());
afterAll(async () => {
  await app?.stop();
  await product.stop();
  await keys.stop();
});

/** A site of its own per test: the circuit breaker and caches are per site. */
async function freshSite(): Promise<Site> {
  const site = newSite(product.url);
  product.sites.push(site);
  await install(app.url, keys, site);
  return site;
}

async function timed(method: string, path: string, auth: string, body?: unknown) {
  const t0 = performance.now();
  const res = await fetch(app.url + path, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, ms: performance.now() - t0 };
}

const panelOf = async (site: Site, accountId: string, issueId: string) => `Bearer ${(await sessionFor(app.url, site, accountId, { issueId })).token}`;
const adminOf = async (site: Site, accountId: string) => `Bearer ${(await sessionFor(app.url, site, accountId, {}, '/admin')).token}`;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An item on `issueId` checked by `checker` while the product will not tell names (403: no
 * cached name, and not a site failure, so the circuit stays closed for the test itself).
 */
async function checkedUnnamed(site: Site, issueId: string, checker: string, text: string): Promise<void> {
  const auth = await panelOf(site, checker, issueId);
  Object.assign(product, { errorRate: 1, errorStatus: 403 });
  const created = await timed('POST', `/api/checklists/${issueId}/items`, auth, { text });
  expect(created.status).toBe(201);
  const checked = await timed('PATCH', `/api/checklists/${issueId}/items/${created.json.item.id}`, auth, { version: created.json.item.version, checked: true });
  expect(checked.status).toBe(200);
  expect(checked.json.people[checker]).toBeUndefined();
  expect(checked.json.degraded).toEqual(['people']);
  product.clearFaults();
}

describe('the issue panel', () => {
  it('answers within the budget when the product is slow, without the names, then has them next time', async () => {
    const site = await freshSite();
    const checker = `acc-slow-${++n}`;
    await checkedUnnamed(site, '20001', checker, 'Saved before the slowdown');
    product.users.set(checker, { displayName: 'Grace Hopper' });
    product.latencyMs = SLOW_MS;

    const t0 = performance.now();
    const auth = await panelOf(site, 'acc-viewer', '20001'); // the page request, as the iframe load
    const read = await timed('GET', '/api/checklists/20001', auth);
    expect(read.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(DEADLINE_MS);
    expect(read.json.items.map((i: { text: string }) => i.text)).toEqual(['Saved before the slowdown']);
    expect(read.json.items[0].checkedBy).toBe(checker);
    expect(read.json.people).toEqual({}); // not known now: no key (null would mean "account gone")
    expect(read.json.degraded).toEqual(['people']);

    // The lookup went on in the background and filled the cache: the next view is complete and fast.
    await settle(SLOW_MS + 500);
    const again = await timed('GET', '/api/checklists/20001', auth);
    expect(again.json.people).toEqual({ [checker]: 'Grace Hopper' });
    expect(again.json.degraded).toBeUndefined();
    expect(again.ms).toBeLessThan(DEADLINE_MS);
  });

  it('answers at once when the product is down, and nothing written during the outage is lost', async () => {
    const site = await freshSite();
    const checker = `acc-down-${++n}`;
    await checkedUnnamed(site, '20002', checker, 'Saved before the outage');
    product.users.set(checker, { displayName: 'Alan Turing' });
    const auth = await panelOf(site, 'acc-viewer', '20002');
    product.down = true;
    const read = await timed('GET', '/api/checklists/20002', auth);
    expect(read.status).toBe(200);
    expect(read.ms).toBeLessThan(DEADLINE_MS);
    expect(read.json.items).toHaveLength(1);
    expect(read.json.degraded).toEqual(['people']);
    // Writes that do not need the product go on (license and user come from the session token).
    const added = await timed('POST', '/api/checklists/20002/items', auth, { text: 'Written during the outage' });
    expect(added.status).toBe(201);
    expect((await timed('PUT', '/api/preferences', auth, { hideCompleted: true })).status).toBe(200);

    product.clearFaults();
    const after = await timed('GET', '/api/checklists/20002', auth);
    expect(after.json.items.map((i: { text: string; checked: boolean }) => [i.text, i.checked])).toEqual([
      ['Saved before the outage', true],
      ['Written during the outage', false],
    ]);
    expect((await timed('GET', '/api/preferences', auth)).json).toEqual({ hideCompleted: true });
  });

  it('stays within the budget when half the product answers are errors', async () => {
    const site = await freshSite();
    const checkers = Array.from({ length: 6 }, (_, i) => `acc-err-${++n}-${i}`);
    for (const [i, c] of checkers.entries()) await checkedUnnamed(site, String(20_100 + i), c, `Item ${i}`);
    checkers.forEach((c) => product.users.set(c, { displayName: `Name ${c}` }));
    product.errorRate = 0.5;
    const outcomes: string[] = [];
    for (const [i, c] of checkers.entries()) {
      const auth = await panelOf(site, 'acc-viewer', String(20_100 + i));
      const read = await timed('GET', `/api/checklists/${20_100 + i}`, auth);
      expect(read.status).toBe(200);
      expect(read.ms).toBeLessThan(DEADLINE_MS);
      // Either the name came through (503s are retried only within the deadline) or the answer says it is missing.
      expect(read.json.people[c] === `Name ${c}` || read.json.degraded?.includes('people')).toBe(true);
      outcomes.push(read.json.degraded ? 'degraded' : 'complete');
    }
    expect(outcomes).toHaveLength(6);
  });
});

describe('the admin page', () => {
  it('answers within the budget when the product is slow: signed license shown, editing off until the admin right is confirmed', async () => {
    const site = await freshSite();
    const admin = `acc-admin-${++n}`;
    product.admins.add(admin);
    product.latencyMs = SLOW_MS;
    const t0 = performance.now();
    const auth = await adminOf(site, admin);
    const [overview, data] = await Promise.all([timed('GET', '/api/settings', auth), timed('GET', '/api/admin/data', auth)]);
    expect(performance.now() - t0).toBeLessThan(DEADLINE_MS);
    expect(overview.status).toBe(200);
    expect(overview.json.license).toMatchObject({ view: 'active', param: 'active', licensed: true });
    expect(overview.json.canEdit).toBe(false);
    expect(overview.json.degraded.sort()).toEqual(['admin', 'license']);
    expect(data.status).toBe(200);
    expect(data.json).toMatchObject({ canManage: false, degraded: ['admin'] });

    await settle(SLOW_MS + 500);
    const again = await timed('GET', '/api/settings', auth);
    expect(again.json.canEdit).toBe(true);
    expect(again.json.degraded).toBeUndefined();
  });

  it('writes that need the product fail with PRODUCT_UNAVAILABLE and change nothing', async () => {
    const site = await freshSite();
    const admin = `acc-admin-${++n}`;
    product.admins.add(admin);
    const panel = await panelOf(site, 'acc-writer', '20200');
    expect((await timed('POST', '/api/checklists/20200/items', panel, { text: 'Keep me' })).status).toBe(201);
    const auth = await adminOf(site, admin);
    product.down = true;
    const before = await timed('GET', '/api/settings', auth);
    expect(before.status).toBe(200);
    expect(before.json.canEdit).toBe(false);
    expect(before.json.degraded).toContain('admin');
    // The admin right cannot be confirmed: a clear code, and nothing happens.
    const settings = { ...before.json.settings, showCheckedBy: !before.json.settings.showCheckedBy };
    const save = await timed('PUT', '/api/settings', auth, { version: before.json.version, settings });
    expect(save.status).toBe(503);
    expect(save.json.error).toEqual({ code: 'PRODUCT_UNAVAILABLE', message: 'The product is unavailable, try again' });
    expect((await timed('GET', '/api/admin/data/export', auth)).status).toBe(503);
    const del = await timed('POST', '/api/admin/data/delete-all', auth, { confirm: new URL(product.url).host });
    expect(del.status).toBe(503);
    expect(del.json.error.code).toBe('PRODUCT_UNAVAILABLE');

    product.clearFaults();
    await settle(BREAKER_OPEN_MS + 200); // five failed calls opened the site's circuit
    const after = await timed('GET', '/api/settings', auth);
    expect(after.json.settings).toEqual(before.json.settings);
    expect(after.json.version).toBe(before.json.version);
    const exported = await timed('GET', '/api/admin/data/export', auth);
    expect(exported.status).toBe(200);
    expect(exported.json.checklistItems.map((i: { text: string }) => i.text)).toEqual(['Keep me']);
  });
});
