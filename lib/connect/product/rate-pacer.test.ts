import { describe, expect, it } from 'vitest';
import { newFakeSite, TenantDirectory, tenantOf } from '../testing';
import type { FakeProduct } from '../testing/fake-product';
import { fastClient } from '../testing/product-client';
import type { ProductClientOptions } from './client';
import { ProductApiError } from './errors';
import { RatePacer, type PacingOptions } from './rate-pacer';
import { MemoryRateLimitState } from './rate-limits';

/**
 * Pacing before any 429: the client spends budgets per scope and never sends a request that
 * Jira's documented limits would refuse. The product here is a recorder behind an injected fetch;
 * each test checks what it received against the limits as Atlassian states them (a token bucket
 * per endpoint, sliding windows per issue, points per hour), not against the pacer's own windows.
 * Time is virtual: it moves only when every unfinished call is asleep on the injected sleep.
 */
const HOUR = 3_600_000;
// Ten minutes into an hour, so no quota window ends during a test.
const T0 = Math.floor(Date.now() / HOUR) * HOUR + 600_000;

function virtualTime(start = T0) {
  let t = start;
  const timers: { at: number; resolve: () => void }[] = [];
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      timers.push({ at: t + ms, resolve });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  async function run<T>(calls: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
    let done = 0;
    const settled = Promise.allSettled(calls.map((c) => c().finally(() => void done++)));
    while (done < calls.length) {
      if (timers.length > 0 && timers.length === calls.length - done) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift()!;
        t = Math.max(t, next.at);
        next.resolve();
      }
      await new Promise((r) => setImmediate(r));
    }
    return settled;
  }
  return { now: () => t, sleep, run };
}

interface Sent {
  at: number;
  site: string;
  method: string;
  path: string;
}

/** The product: answers 200 at once and records what it received (optionally with rate headers). */
function recorder(now: () => number, headers: (sent: Sent[]) => Record<string, string> = () => ({})) {
  const sent: Sent[] = [];
  const fetch = async (input: URL | string, init: RequestInit) => {
    const url = new URL(String(input));
    sent.push({ at: now(), site: url.host, method: String(init.method), path: url.pathname });
    return new Response(JSON.stringify({ id: '10001', key: 'X-1', fields: {} }), { status: 200, headers: { 'content-type': 'application/json', ...headers(sent) } });
  };
  return { sent, fetch };
}

function sites(n: number) {
  const dir = new TenantDirectory();
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const site = newFakeSite();
    dir.put(tenantOf({ site, baseUrl: `https://site-${i}.example.net` } as unknown as FakeProduct));
    keys.push(site.clientKey);
  }
  return { dir, keys, host: (i: number) => `site-${i}.example.net` };
}

function pacedClient(dir: TenantDirectory, clock: ReturnType<typeof virtualTime>, fetch: ProductClientOptions['fetch'], pacing: PacingOptions, opts: Partial<ProductClientOptions> = {}) {
  return fastClient(dir, { authServerUrl: 'https://auth.example.net' } as FakeProduct, {
    now: clock.now,
    sleep: clock.sleep,
    fetch,
    timeoutMs: 60_000,
    retry: { maxRetries: 0 },
    bulkhead: { maxConcurrent: 100, maxQueued: 400 },
    rateLimits: new MemoryRateLimitState(),
    pacing: new RatePacer(pacing),
    ...opts,
  });
}

/** Jira's burst limit: a token bucket of `capacity` refilled at `perSecond`. */
function bucketRefusals(times: number[], capacity: number, perSecond: number): number {
  let tokens = capacity;
  let at = times[0] ?? 0;
  let refused = 0;
  for (const t of [...times].sort((a, b) => a - b)) {
    tokens = Math.min(capacity, tokens + ((t - at) / 1000) * perSecond);
    at = t;
    if (tokens < 1) refused++;
    else tokens -= 1;
  }
  return refused;
}

/** The most requests in any sliding window of `seconds`. */
function busiestWindow(times: number[], seconds: number): number {
  const s = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[j]! <= s[i]! - seconds * 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const refusedKinds = (results: PromiseSettledResult<unknown>[]) =>
  results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason instanceof ProductApiError ? `${r.reason.kind}:${r.reason.limit}` : String(r.reason)));

describe('pacing per scope', () => {
  it('burst: sends no request its endpoint bucket would refuse, and leaves another endpoint alone', async () => {
    const clock = virtualTime();
    const { dir, keys } = sites(1);
    const product = recorder(clock.now);
    const client = pacedClient(dir, clock, product.fetch, { burstPerSecond: { GET: 10 } });
    const rq = client.asApp(keys[0]!);
    const results = await clock.run([
      ...Array.from({ length: 40 }, (_, i) => () => rq.get(`/rest/api/3/issue/ABC-${i}`)),
      () => rq.get('/rest/api/3/myself'),
    ]);
    expect(refusedKinds(results)).toEqual([]);
    const issueTimes = product.sent.filter((s) => s.path.startsWith('/rest/api/3/issue/')).map((s) => s.at);
    expect(issueTimes).toHaveLength(40);
    expect(bucketRefusals(issueTimes, 10, 10)).toBe(0);
    // Paced, not serialised: 40 calls at 10/s take about 4 s, not more.
    expect(Math.max(...issueTimes) - T0).toBeLessThanOrEqual(4_000);
    expect(product.sent.find((s) => s.path === '/rest/api/3/myself')?.at).toBe(T0);
  });

  it("per-issue writes: stays inside both of Jira's windows for one issue, and another issue is not slowed", async () => {
    const clock = virtualTime();
    const { dir, keys } = sites(1);
    const product = recorder(clock.now);
    const client = pacedClient(dir, clock, product.fetch, {});
    const rq = client.asApp(keys[0]!);
    const results = await clock.run([
      ...Array.from({ length: 120 }, (_, i) => () => rq.put('/rest/api/3/issue/ABC-1/properties/p', { i })),
      () => rq.put('/rest/api/3/issue/ABC-2/properties/p', { i: 0 }),
    ]);
    expect(refusedKinds(results)).toEqual([]);
    const abc1 = product.sent.filter((s) => s.path.includes('/ABC-1/')).map((s) => s.at);
    expect(abc1).toHaveLength(120);
    expect(busiestWindow(abc1, 2)).toBeLessThanOrEqual(20);
    expect(busiestWindow(abc1, 30)).toBeLessThanOrEqual(100);
    expect(product.sent.find((s) => s.path.includes('/ABC-2/'))?.at).toBe(T0);
  });

  it("site quota: refuses what would overrun one site's hourly points, and another site is not slowed", async () => {
    const clock = virtualTime();
    const { dir, keys, host } = sites(2);
    const product = recorder(clock.now);
    const client = pacedClient(dir, clock, product.fetch, { appPointsPerHour: null, sitePointsPerHour: (ck) => (ck === keys[0] ? 40 : null) });
    const results = await clock.run(Array.from({ length: 30 }, (_, i) => () => client.asApp(keys[0]!).get(`/rest/api/3/issue/ABC-${i}`)));
    // GET issue costs 2 points (1 + one issue): 20 fit in 40 points, the rest are refused unsent.
    expect(product.sent.filter((s) => s.site === host(0))).toHaveLength(20);
    expect(refusedKinds(results)).toEqual(Array(10).fill('rate_limited:site'));
    const other = await clock.run(Array.from({ length: 30 }, (_, i) => () => client.asApp(keys[1]!).get(`/rest/api/3/issue/ABC-${i}`)));
    expect(refusedKinds(other)).toEqual([]);
    expect(product.sent.filter((s) => s.site === host(1)).every((s) => s.at === T0)).toBe(true);
  });

  it('app pool: one pool stops every site once spent, until the hour renews', async () => {
    const clock = virtualTime();
    const { dir, keys, host } = sites(3);
    const product = recorder(clock.now);
    const client = pacedClient(dir, clock, product.fetch, { appPointsPerHour: 50 });
    const calls = keys.flatMap((ck) => Array.from({ length: 20 }, (_, i) => () => client.asApp(ck).get(`/rest/api/3/issue/ABC-${i}`)));
    const results = await clock.run(calls);
    expect(product.sent).toHaveLength(25);
    expect(refusedKinds(results)).toEqual(Array(35).fill('rate_limited:app'));
    const refusal = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refusal.reason as ProductApiError).retryAfterMs).toBe(HOUR - 600_000);
    expect((refusal.reason as ProductApiError).attempts).toBe(0);
    const late = await clock.run([() => client.asApp(keys[2]!).get('/rest/api/3/myself')]);
    expect(refusedKinds(late)).toEqual(['rate_limited:app']);
    expect(product.sent.filter((s) => s.site === host(2)).length).toBeLessThan(20);
  });

  it("waits for a budget that renews within the call's deadline and refuses one that does not", async () => {
    const clock = virtualTime();
    const { dir, keys } = sites(1);
    const product = recorder(clock.now);
    const client = pacedClient(dir, clock, product.fetch, { burstPerSecond: { GET: 2 } });
    const rq = client.asApp(keys[0]!);
    const waited = await clock.run([() => rq.get('/rest/api/3/issue/ABC-1'), () => rq.get('/rest/api/3/issue/ABC-2')]);
    expect(refusedKinds(waited)).toEqual([]);
    expect(product.sent.map((s) => s.at - T0)).toEqual([0, 500]);
    // A 100 ms deadline cannot wait for the next 500 ms window: refused, nothing sent.
    const refused = await clock.run([() => rq.get('/rest/api/3/issue/ABC-3', { timeoutMs: 100 })]);
    expect(refusedKinds(refused)).toEqual(['rate_limited:burst']);
    expect(product.sent).toHaveLength(2);
  });

  it("takes the product's word: its RateLimit-Policy replaces the assumed pool and X-RateLimit-Remaining what is left", async () => {
    const clock = virtualTime();
    const { dir, keys } = sites(1);
    // The product's pool is 30 points and something else already spent 10 of them.
    const spentElsewhere = 10;
    const product = recorder(clock.now, (sent) => ({
      'ratelimit-policy': '"global-app-quota";q=30;w=3600, "jira-burst-based";q=100;w=1',
      'x-ratelimit-limit': '30',
      'x-ratelimit-remaining': String(Math.max(0, 30 - spentElsewhere - 2 * sent.length)),
    }));
    const client = pacedClient(dir, clock, product.fetch, { appPointsPerHour: 65_000 });
    const rq = client.asApp(keys[0]!);
    await clock.run([() => rq.get('/rest/api/3/issue/ABC-0')]);
    const results = await clock.run(Array.from({ length: 20 }, (_, i) => () => rq.get(`/rest/api/3/issue/ABC-${i + 1}`)));
    // 1 + 9 calls of 2 points = 20 points, the 10 the product still had for the app.
    expect(product.sent).toHaveLength(10);
    expect(refusedKinds(results).every((k) => k === 'rate_limited:app')).toBe(true);
  });
});
