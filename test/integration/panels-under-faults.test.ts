import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ATLASSIAN_RETRY } from 'atlassian-connect-next';
import type { AppServer } from '../../scripts/stack';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { FakeKeys, install, newSite, sessionFor, startAppWithProduct, type Site } from '../support/product';

/**
 * Issue 5, "Panels under faults", over real HTTP against the built app: whatever the product
 * does (slow, failing, down), the panel's and the admin page's reads answer within the render
 * budget with what the app has and say what is missing (`degraded`); the live data arrives in
 * the background for the next view; writes that need the product fail with a clear code and
 * change nothing; writes that do not need it go on.
 *
 * No figure from an idle machine: "within the budget" is checked as "answered before the slow
 * product did" (its latency is a multiple of the budget) or "before Atlassian's first retry
 * would be due"; the 1.5 s render target is bench:faults' to measure. Background work is
 * awaited by polling what it changes.
 */
// Room for a healthy local round trip on a loaded machine: the half of the reads that meet a healthy
// product must come back complete.
const BUDGET_MS = 2_000;
/** The slow product answers after five budgets: an answer before that did not wait for it. */
const SLOW_MS = 5 * BUDGET_MS;
/** The shortest delay Atlassian's algorithm waits before retrying a 503 (no Retry-After). */
const FIRST_RETRY_MS = ATLASSIAN_RETRY.baseDelayMs * 2 * ATLASSIAN_RETRY.jitter[0];
const BREAKER_OPEN_MS = 1_000;

let app: AppServer;
const product = new FakeProduct();
const keys = new FakeKeys();
let n = 0;

beforeAll(async () => {
  app = await startAppWithProduct(product, keys, {
    PRODUCT_RENDER_BUDGET_MS: String(BUDGET_MS),
    // A background lookup may take as long as the slow product: it must not time out first.
    PRODUCT_API_TIMEOUT_MS: String(3 * SLOW_MS),
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
/** Polls until `check` passes (the app's background lookups have landed). */
const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 6 * SLOW_MS, interval: 200 });

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
  // On a busy machine the name lookup may outlive the render budget: it goes on in the
  // background, and must meet the fault too (a lookup answered after the faults are cleared
  // would find no such user and cache "unknown" for the tests below).
  await vi.waitFor(
    () => {
      if (!product.requests.some((r) => r.path === '/rest/api/3/user' && r.query.get('accountId') === checker) || product.inFlight > 0) throw new Error('name lookup pending');
    },
    { timeout: 6 * SLOW_MS, interval: 50 },
  );
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
    expect(performance.now() - t0).toBeLessThan(SLOW_MS); // neither the page nor the read waited for the product
    expect(read.json.items.map((i: { text: string }) => i.text)).toEqual(['Saved before the slowdown']);
    expect(read.json.items[0].checkedBy).toBe(checker);
    expect(read.json.people).toEqual({}); // not known now: no key (null would mean "account gone")
    expect(read.json.degraded).toEqual(['people']);

    // The lookup went on in the background and filled the cache: the next view is complete, from the cache.
    await eventually(async () => expect((await timed('GET', '/api/checklists/20001', auth)).json.people).toEqual({ [checker]: 'Grace Hopper' }));
    const again = await timed('GET', '/api/checklists/20001', auth);
    expect(again.json.people).toEqual({ [checker]: 'Grace Hopper' });
    expect(again.json.degraded).toBeUndefined();
    expect(again.ms).toBeLessThan(SLOW_MS);
  });

  it('answers while the product is down, and nothing written during the outage is lost', async () => {
    const site = await freshSite();
    const checker = `acc-down-${++n}`;
    await checkedUnnamed(site, '20002', checker, 'Saved before the outage');
    product.users.set(checker, { displayName: 'Alan Turing' });
    const auth = await panelOf(site, 'acc-viewer', '20002');
    product.down = true;
    const read = await timed('GET', '/api/checklists/20002', auth);
    expect(read.status).toBe(200);
    expect(read.json.items).toHaveLength(1);
    expect(read.json.people).toEqual({});
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
    // Every other read meets a product answering 503 (retryable, but Atlassian's backoff is far
    // past the budget: not waited for); the others meet a healthy product.
    for (const [i, c] of checkers.entries()) {
      const failing = i % 2 === 0;
      const auth = await panelOf(site, 'acc-viewer', String(20_100 + i));
      product.errorRate = failing ? 1 : 0;
      const read = await timed('GET', `/api/checklists/${20_100 + i}`, auth);
      product.errorRate = 0;
      expect(read.status).toBe(200);
      expect(read.ms).toBeLessThan(FIRST_RETRY_MS);
      if (failing) {
        expect(read.json.people).toEqual({});
        expect(read.json.degraded).toEqual(['people']);
      } else {
        expect(read.json.people).toEqual({ [c]: `Name ${c}` });
        expect(read.json.degraded).toBeUndefined();
      }
    }
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
    expect(performance.now() - t0).toBeLessThan(SLOW_MS); // nothing waited for the product
    expect(overview.status).toBe(200);
    expect(overview.json.license).toMatchObject({ view: 'active', param: 'active', licensed: true });
    expect(overview.json.canEdit).toBe(false);
    expect(overview.json.degraded.sort()).toEqual(['admin', 'license']);
    expect(data.status).toBe(200);
    expect(data.json).toMatchObject({ canManage: false, degraded: ['admin'] });

    await eventually(async () => expect((await timed('GET', '/api/settings', auth)).json.canEdit).toBe(true));
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
    // Five failed calls opened the site's circuit: wait at least its open time (a lower bound:
    // a slower machine only waits longer) so the next call is the probe that closes it.
    await settle(BREAKER_OPEN_MS + 200);
    const after = await timed('GET', '/api/settings', auth);
    expect(after.json.settings).toEqual(before.json.settings);
    expect(after.json.version).toBe(before.json.version);
    const exported = await timed('GET', '/api/admin/data/export', auth);
    expect(exported.status).toBe(200);
    expect(exported.json.checklistItems.map((i: { text: string }) => i.text)).toEqual(['Keep me']);
  });
});
