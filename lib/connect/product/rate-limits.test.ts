import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf } from '../testing';
import { fastClient } from '../testing/product-client';
import type { ProductClientOptions } from './client';
import { ProductApiError } from './errors';
import { callScopes, endpointOf, limitKind, MemoryRateLimitState, RATE_LIMIT_TABLE_SQL, resumeAt, SqlRateLimitState, type RateLimitState } from './rate-limits';

/**
 * Jira's 2026 rate limits: a 429 pauses exactly the scope its RateLimit-Reason names, nothing is
 * sent into a paused scope before its reset, and the pauses are shared through the database.
 * The clock is injected: "before the reset" is a clock value, not a race.
 */
// Whole seconds: the product's clock (tokens' iat/exp) is the same injected clock.
const T0 = Math.floor(Date.now() / 1000) * 1000;
const fakes: FakeProduct[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
  for (const c of cleanups.splice(0)) await c();
});

async function sites(n: number, c: { now: () => number }) {
  const dir = new TenantDirectory();
  const out: FakeProduct[] = [];
  for (let i = 0; i < n; i++) {
    const f = new FakeProduct(newFakeSite(), c.now);
    await f.start();
    fakes.push(f);
    dir.put(tenantOf(f));
    out.push(f);
  }
  return { dir, sites: out };
}

function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function refusal(p: Promise<unknown>): Promise<ProductApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProductApiError);
  return err as ProductApiError;
}

const limit429 = (reason: string, retryAfter = '60', pathPrefix?: string) => ({
  status: 429,
  retryAfter,
  headers: { 'ratelimit-reason': reason } as Record<string, string>,
  times: 1,
  ...(pathPrefix ? { pathPrefix } : {}),
});

function client(dir: TenantDirectory, site: FakeProduct, c: { now: () => number }, opts: Partial<ProductClientOptions> = {}) {
  // A 5 s deadline: every pause below 5 s is waited out (with the injected sleep), every longer one refused.
  return fastClient(dir, site, { now: c.now, timeoutMs: 5_000, retry: { maxRetries: 0 }, rateLimits: new MemoryRateLimitState(), ...opts });
}

describe('what a 429 says', () => {
  it('maps RateLimit-Reason to the scope it limits', () => {
    expect(limitKind('jira-burst-based')).toBe('burst');
    expect(limitKind('jira-per-issue-on-write')).toBe('issue');
    expect(limitKind('jira-quota-tenant-based')).toBe('site');
    expect(limitKind('jira-quota-global-based')).toBe('app');
    expect(limitKind(undefined)).toBe('burst');
    expect(limitKind('something-new')).toBe('burst');
  });

  it('scopes a call by site, endpoint (ids folded) and method, and a write by its issue', () => {
    expect(endpointOf('/rest/api/3/issue/ABC-12/properties/p?x=1')).toBe('/rest/api/3/issue/{}/properties/p');
    expect(endpointOf('/rest/api/3/issue/10001')).toBe('/rest/api/3/issue/{}');
    expect(callScopes('ck', 'GET', '/rest/api/3/issue/ABC-1')).toEqual({ burst: 'burst:ck:GET:/rest/api/3/issue/{}', site: 'site:ck', app: 'app' });
    expect(callScopes('ck', 'PUT', '/rest/api/3/issue/ABC-1/properties/p').issue).toBe('issue:ck:ABC-1');
  });

  it('resumes at the later of Retry-After and X-RateLimit-Reset, and never in the past', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(resumeAt(h({ 'retry-after': '5' }), T0)).toBe(T0 + 5_000);
    expect(resumeAt(h({ 'retry-after': '5', 'x-ratelimit-reset': new Date(T0 + 90_000).toISOString() }), T0)).toBe(T0 + 90_000);
    expect(resumeAt(h({ 'retry-after': '30', 'x-ratelimit-reset': new Date(T0 + 10_000).toISOString() }), T0)).toBe(T0 + 30_000);
    expect(resumeAt(h({ 'x-ratelimit-reset': 'garbage' }), T0)).toBe(T0 + 1_000);
    expect(resumeAt(h({ 'x-ratelimit-reset': new Date(T0 - 10_000).toISOString() }), T0)).toBe(T0);
  });
});

describe('the client under rate limits', () => {
  it('burst: pauses that endpoint and method only, and sends nothing into it before the reset', async () => {
    const c = clock();
    const { dir, sites: [a] } = await sites(1, c);
    const product = client(dir, a!, c);
    const ck = a!.site.clientKey;
    a!.inject(limit429('jira-burst-based', '30', '/rest/test/echo/'));
    expect(await refusal(product.asApp(ck).get('/rest/test/echo/1'))).toMatchObject({ kind: 'rate_limited', status: 429, limit: 'burst' });
    const sent = a!.count('/rest/test/echo/');

    const again = await refusal(product.asApp(ck).get('/rest/test/echo/2'));
    expect(again).toMatchObject({ kind: 'rate_limited', limit: 'burst', attempts: 0, retryAfterMs: 30_000 });
    expect(a!.count('/rest/test/echo/')).toBe(sent);

    // Another endpoint, and the same endpoint with another method, are not limited.
    await product.asApp(ck).get('/rest/test/echo-other');
    await product.asApp(ck).put('/rest/test/echo/3', {});
    expect(a!.count('/rest/test/echo/')).toBe(sent + 1);

    c.advance(30_000);
    await product.asApp(ck).get('/rest/test/echo/4');
    expect(a!.count('/rest/test/echo/')).toBe(sent + 2);
  });

  it('per-issue writes: pauses writes to that issue, not to another issue, not its reads', async () => {
    const c = clock();
    const { dir, sites: [a] } = await sites(1, c);
    const product = client(dir, a!, c);
    const ck = a!.site.clientKey;
    a!.inject(limit429('jira-per-issue-on-write', '10', '/rest/api/3/issue/ABC-1'));
    expect(await refusal(product.asApp(ck).put('/rest/api/3/issue/ABC-1/properties/p', { v: 1 }))).toMatchObject({ kind: 'rate_limited', limit: 'issue' });
    const before = a!.count('/rest/api/3/issue/ABC-1');

    expect(await refusal(product.asApp(ck).put('/rest/api/3/issue/ABC-1/properties/p', { v: 2 }))).toMatchObject({ kind: 'rate_limited', limit: 'issue', attempts: 0 });
    expect(a!.count('/rest/api/3/issue/ABC-1')).toBe(before);

    await product.asApp(ck).put('/rest/api/3/issue/ABC-2/properties/p', { v: 1 }).catch(() => undefined);
    expect(a!.count('/rest/api/3/issue/ABC-2')).toBe(1);
    await product.asApp(ck).get('/rest/api/3/issue/ABC-1').catch(() => undefined);
    expect(a!.count('/rest/api/3/issue/ABC-1')).toBe(before + 1);
  });

  it("the site's quota stops every call to that site and none to another", async () => {
    const c = clock();
    const { dir, sites: [a, b] } = await sites(2, c);
    const product = client(dir, a!, c);
    a!.inject(limit429('jira-quota-tenant-based', '1800'));
    expect(await refusal(product.asApp(a!.site.clientKey).get('/rest/test/echo-other'))).toMatchObject({ limit: 'site' });
    const sentA = a!.requests.length;
    expect(await refusal(product.asApp(a!.site.clientKey).get('/rest/test/echo'))).toMatchObject({ kind: 'rate_limited', limit: 'site', attempts: 0 });
    expect(a!.requests.length).toBe(sentA);
    await product.asApp(b!.site.clientKey).get('/rest/test/echo-other');
    expect(b!.requests.length).toBe(1);
  });

  it("the app-wide pool stops every site's calls until it resets", async () => {
    const c = clock();
    const { dir, sites: [a, b] } = await sites(2, c);
    const product = client(dir, a!, c);
    a!.inject(limit429('jira-quota-global-based', '600'));
    await refusal(product.asApp(a!.site.clientKey).get('/rest/test/echo-other'));
    expect(await refusal(product.asApp(b!.site.clientKey).get('/rest/test/echo-other'))).toMatchObject({ kind: 'rate_limited', limit: 'app', attempts: 0 });
    expect(b!.requests.length).toBe(0);
    c.advance(600_000);
    await product.asApp(b!.site.clientKey).get('/rest/test/echo-other');
    expect(b!.requests.length).toBe(1);
  });

  it('waits out a pause that ends within the deadline, then sends (never before the reset)', async () => {
    const c = clock();
    const { dir, sites: [a] } = await sites(1, c);
    const state = new MemoryRateLimitState();
    const ck = a!.site.clientKey;
    const sentAt: number[] = [];
    const waits: number[] = [];
    const product = client(dir, a!, c, {
      rateLimits: state,
      sleep: async (ms: number) => {
        waits.push(ms);
        c.advance(ms);
      },
      fetch: (input, init) => {
        sentAt.push(c.now());
        return fetch(input, init);
      },
    });
    await state.pause({ key: `site:${ck}`, until: T0 + 2_000, reason: 'jira-quota-tenant-based' });
    await product.asApp(ck).get('/rest/test/echo-other');
    expect(waits).toEqual([2_000]);
    expect(sentAt).toEqual([T0 + 2_000]);
  });

  it('eases off an endpoint that answered X-RateLimit-NearLimit: true, and only that endpoint', async () => {
    const c = clock();
    const { dir, sites: [a] } = await sites(1, c);
    const ck = a!.site.clientKey;
    const sentAt: { path: string; at: number }[] = [];
    const waits: number[] = [];
    const nearLimits: string[] = [];
    const product = client(dir, a!, c, {
      // The reaction without pacing (with pacing, the pacer eases off the quota instead).
      pacing: false,
      observer: { nearLimit: ({ method }) => nearLimits.push(method) },
      sleep: async (ms: number) => {
        waits.push(ms);
        c.advance(ms);
      },
      fetch: (input, init) => {
        sentAt.push({ path: new URL(String(input)).pathname, at: c.now() });
        return fetch(input, init);
      },
    });
    // A 200 with the warning (the fake answers a status fault with its headers; 200 is a success).
    a!.inject({ status: 200, headers: { 'x-ratelimit-nearlimit': 'true' }, times: 1, pathPrefix: '/rest/test/echo/' });
    await product.asApp(ck).get('/rest/test/echo/1');
    expect(nearLimits).toEqual(['GET']);
    await product.asApp(ck).get('/rest/test/echo-other');
    await product.asApp(ck).get('/rest/test/echo/2');
    expect(waits).toEqual([1_000]);
    expect(sentAt.map((s) => [s.path, s.at - T0])).toEqual([
      ['/rest/test/echo/1', 0],
      ['/rest/test/echo-other', 0],
      ['/rest/test/echo/2', 1_000],
    ]);
  });

  it('a retry after a 429 waits for the reset the product gave', async () => {
    const c = clock();
    const { dir, sites: [a] } = await sites(1, c);
    const sentAt: number[] = [];
    const product = client(dir, a!, c, {
      retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 30, jitter: [1, 1] },
      timeoutMs: 10_000,
      sleep: async (ms: number) => void c.advance(ms),
      fetch: (input, init) => {
        sentAt.push(c.now());
        return fetch(input, init);
      },
    });
    a!.inject({ ...limit429('jira-burst-based', '1'), headers: { 'ratelimit-reason': 'jira-burst-based', 'x-ratelimit-reset': new Date(T0 + 5_000).toISOString() } });
    await product.asApp(a!.site.clientKey).get('/rest/test/echo-other');
    expect(sentAt[0]).toBe(T0);
    expect(sentAt[1]).toBeGreaterThanOrEqual(T0 + 5_000);
  });
});

describe('pauses shared by instances through the database', () => {
  async function database(): Promise<PGlite> {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-'));
    const pg = await PGlite.create(path.join(dir, 'pg'));
    await pg.exec(RATE_LIMIT_TABLE_SQL);
    cleanups.push(async () => {
      await pg.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return pg;
  }
  const sqlOf = (pg: PGlite) => ({ query: async <T,>(sql: string, params?: unknown[]) => (await pg.query<T>(sql, params)).rows });

  it("a limit one instance hits pauses that scope for the other: nothing sent before the reset", async () => {
    const pg = await database();
    const c = clock();
    const { dir, sites: [a, b] } = await sites(2, c);
    const one = client(dir, a!, c, { rateLimits: new SqlRateLimitState(sqlOf(pg), { refreshMs: 0, now: c.now }) });
    const two = client(dir, a!, c, { rateLimits: new SqlRateLimitState(sqlOf(pg), { refreshMs: 0, now: c.now }) });
    a!.inject(limit429('jira-quota-tenant-based', '900'));
    await refusal(one.asApp(a!.site.clientKey).get('/rest/test/echo-other'));
    const sent = a!.requests.length;
    expect(await refusal(two.asApp(a!.site.clientKey).get('/rest/test/echo-other'))).toMatchObject({ kind: 'rate_limited', limit: 'site', attempts: 0 });
    expect(a!.requests.length).toBe(sent);
    await two.asApp(b!.site.clientKey).get('/rest/test/echo-other');
    c.advance(900_000);
    await two.asApp(a!.site.clientKey).get('/rest/test/echo-other');
    expect(a!.requests.length).toBe(sent + 1);
  });

  it('goes on with what this instance knows when the database does not answer', async () => {
    const errors: unknown[] = [];
    const down = { query: async () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const state = new SqlRateLimitState(down, { refreshMs: 0, onError: (e) => errors.push(e) });
    await state.pause({ key: 'site:x', until: T0 + 5_000, reason: 'jira-quota-tenant-based' });
    expect(await state.paused(['app', 'site:x'], T0)).toEqual({ key: 'site:x', until: T0 + 5_000, reason: 'jira-quota-tenant-based' });
    expect(await state.paused(['app', 'site:y'], T0)).toBeNull();
    expect(errors).toHaveLength(3);
  });

  it('keeps the later pause when two instances record the same scope', async () => {
    const pg = await database();
    const s1: RateLimitState = new SqlRateLimitState(sqlOf(pg), { refreshMs: 0 });
    const s2: RateLimitState = new SqlRateLimitState(sqlOf(pg), { refreshMs: 0 });
    await s1.pause({ key: 'site:x', until: T0 + 60_000, reason: 'jira-quota-tenant-based' });
    await s2.pause({ key: 'site:x', until: T0 + 10_000, reason: 'jira-burst-based' });
    const fresh = new SqlRateLimitState(sqlOf(pg), { refreshMs: 0 });
    expect(await fresh.paused(['app', 'site:x'], T0)).toEqual({ key: 'site:x', until: T0 + 60_000, reason: 'jira-quota-tenant-based' });
    expect(await fresh.paused(['site:x'], T0 + 60_000)).toBeNull();
  });
});
