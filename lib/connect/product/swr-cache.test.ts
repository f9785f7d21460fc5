import { afterEach, describe, expect, it, vi } from 'vitest';
import { CachedProductReads } from './cached-reads';
import { ProductApiError } from './errors';
import { SwrCache, type SwrStore } from './swr-cache';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf, TEST_APP_KEY, TestClock } from '../testing';
import { fastClient } from '../testing/product-client';

const fakes: FakeProduct[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

/** A SwrStore in memory, standing in for the Prisma table (its own suite tests the real one). */
class MapStore implements SwrStore {
  rows = new Map<string, { value: unknown; fetchedAt: Date }>();
  async get(ck: string, key: string) {
    return this.rows.get(`${ck}/${key}`) ?? null;
  }
  async set(ck: string, key: string, value: unknown, fetchedAt: Date) {
    this.rows.set(`${ck}/${key}`, { value: JSON.parse(JSON.stringify(value)), fetchedAt });
  }
  async delete(ck: string, key: string) {
    this.rows.delete(`${ck}/${key}`);
  }
  async deleteTenant(ck: string) {
    for (const k of this.rows.keys()) if (k.startsWith(`${ck}/`)) this.rows.delete(k);
  }
}

async function setup(store?: SwrStore, clientOpts: Parameters<typeof fastClient>[2] = {}) {
  const clock = new TestClock();
  const site = new FakeProduct(newFakeSite(), clock.now);
  await site.start();
  fakes.push(site);
  const dir = new TenantDirectory();
  dir.put(tenantOf(site));
  const client = fastClient(dir, site, { now: clock.now, breaker: { failureThreshold: 100, halfOpenAfterMs: 300 }, ...clientOpts });
  const cache = new SwrCache({ freshMs: 60_000, now: clock.now, store });
  const reads = new CachedProductReads(client, { cache, appKey: TEST_APP_KEY, renderBudgetMs: 5_000, now: clock.now });
  return { clock, site, client, cache, reads, ck: site.site.clientKey };
}

/** Waits until `check` passes: the background refresh it depends on has finished. */
const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 20_000, interval: 20 });

/** A fetch that holds every request at the gate while `closed` (the product has not answered yet). */
function gatedFetch() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const gate = {
    closed: false,
    open: () => open(),
    fetch: async (input: URL | string, init: RequestInit): Promise<Response> => {
      if (gate.closed) await opened;
      return fetch(input, init);
    },
  };
  return gate;
}

describe('stale-while-revalidate product reads', () => {
  it('serves a fresh value without calling the product', async () => {
    const { site, reads, ck } = await setup();
    const first = await reads.issueSummary(ck, '10001');
    expect(first).toMatchObject({ value: { key: 'ABC-1', summary: 'First issue' }, stale: false });
    await reads.issueSummary(ck, '10001');
    expect(site.count('/rest/api/3/issue')).toBe(1);
  });

  it('after the fresh window serves the old value at once and refreshes in the background', async () => {
    const gate = gatedFetch();
    const { site, reads, clock, ck } = await setup(undefined, { fetch: gate.fetch });
    await reads.issueSummary(ck, '10001');
    site.issues.set('10001', { id: '10001', key: 'ABC-1', summary: 'Renamed' });
    clock.advance(61_000);
    // The refresh cannot reach the product until the gate opens: a read that waited for it would never return.
    gate.closed = true;
    const stale = await reads.issueSummary(ck, '10001');
    expect(stale).toMatchObject({ value: { summary: 'First issue' }, stale: true });
    expect(stale.error).toBeUndefined();
    expect(site.count('/rest/api/3/issue')).toBe(1);
    gate.open();
    await eventually(async () => expect(await reads.issueSummary(ck, '10001')).toMatchObject({ value: { summary: 'Renamed' }, stale: false }));
    expect(site.count('/rest/api/3/issue')).toBe(2);
  });

  it('when the site is down returns the last good value flagged stale, with the error', async () => {
    const { site, reads, clock, ck } = await setup();
    await reads.appLicense(ck);
    await reads.displayNames(ck, ['user-1']);
    await site.stop();
    clock.advance(400_000);
    expect(await reads.appLicense(ck)).toMatchObject({ value: { active: true, present: true }, stale: true }); // starts the refresh, which fails
    await eventually(async () => expect((await reads.appLicense(ck)).error).toBeInstanceOf(ProductApiError));
    const license = await reads.appLicense(ck);
    expect(license).toMatchObject({ value: { active: true, present: true }, stale: true });
    expect(license.error?.kind).toBe('network');
    await reads.displayNames(ck, ['user-1']);
    // a stale name is better than none: served, and the answer is not marked incomplete
    await eventually(async () => expect(await reads.displayNames(ck, ['user-1'])).toEqual({ names: { 'user-1': 'Ada Lovelace' }, incomplete: false }));
  });

  it('with nothing cached, a read waits for the product within its deadline and fails with its error', async () => {
    const BUDGET_MS = 100;
    const { site, reads, ck } = await setup();
    site.latencyMs = 50 * BUDGET_MS;
    const t0 = performance.now();
    const err = await reads.issueSummary(ck, '10001', { budgetMs: BUDGET_MS }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(site.latencyMs); // the deadline ended it, not the product
  });

  it('past maxStale, waits for a refresh but still serves the old value if that fails', async () => {
    const { site, clock, client, ck } = await setup();
    const cache = new SwrCache({ freshMs: 1_000, maxStaleMs: 10_000, now: clock.now });
    const reads = new CachedProductReads(client, { cache, appKey: TEST_APP_KEY, renderBudgetMs: 5_000, now: clock.now });
    await reads.issueSummary(ck, '10001');
    site.issues.set('10001', { id: '10001', key: 'ABC-1', summary: 'Now' });
    clock.advance(20_000);
    expect(await reads.issueSummary(ck, '10001')).toMatchObject({ value: { summary: 'Now' }, stale: false });
    clock.advance(20_000);
    site.inject({ status: 503 });
    const old = await reads.issueSummary(ck, '10001');
    expect(old).toMatchObject({ value: { summary: 'Now' }, stale: true, error: { kind: 'unavailable' } });
  });

  it('runs one refresh per key however many readers arrive', async () => {
    const { site, reads, clock, ck } = await setup();
    await reads.displayNames(ck, ['user-1']);
    clock.advance(25 * 3_600_000);
    await Promise.all(Array.from({ length: 10 }, () => reads.displayNames(ck, ['user-1'])));
    await eventually(async () => expect(site.count('/rest/api/3/user')).toBe(2));
    await reads.displayNames(ck, ['user-1']);
    expect(site.count('/rest/api/3/user')).toBe(2);
  });

  it('keeps entries per tenant and survives a restart through the store, validating what it reads back', async () => {
    const store = new MapStore();
    const a = await setup(store);
    await a.reads.issueSummary(a.ck, '10001');
    await a.reads.displayNames(a.ck, ['user-1']);
    // display names are personal data: kept apart (the `people` cache, memory only here)
    expect([...store.rows.keys()]).toEqual([`${a.ck}/issue:10001`]);

    await a.site.stop();
    const restarted = new CachedProductReads(a.client, { cache: new SwrCache({ freshMs: 60_000, now: a.clock.now, store }), appKey: TEST_APP_KEY, renderBudgetMs: 5_000 });
    expect(await restarted.issueSummary(a.ck, '10001')).toMatchObject({ value: { summary: 'First issue' }, stale: false });
    // another tenant never sees it
    await expect(restarted.issueSummary('other-tenant', '10001')).rejects.toMatchObject({ kind: 'not_installed' });

    store.rows.set(`${a.ck}/issue:10002`, { value: { unexpected: true }, fetchedAt: new Date() });
    await expect(restarted.issueSummary(a.ck, '10002')).rejects.toMatchObject({ kind: 'network' });

    const cache = new SwrCache({ freshMs: 60_000, store });
    await cache.forgetTenant(a.ck);
    expect(store.rows.size).toBe(0);
  });
});
