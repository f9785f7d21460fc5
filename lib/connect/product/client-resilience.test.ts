import { afterEach, describe, expect, it } from 'vitest';
import type { ProductClient } from './client';
import { ProductApiError } from './errors';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf } from '../testing';
import { fastClient } from '../testing/product-client';

const fakes: FakeProduct[] = [];
async function setup(opts: Parameters<typeof fastClient>[2] = {}): Promise<{ site: FakeProduct; client: ProductClient; ck: string; dir: TenantDirectory }> {
  const site = new FakeProduct(newFakeSite());
  await site.start();
  fakes.push(site);
  const dir = new TenantDirectory();
  dir.put(tenantOf(site));
  return { site, client: fastClient(dir, site, opts), ck: site.site.clientKey, dir };
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function failure(p: Promise<unknown>): Promise<ProductApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProductApiError);
  return err as ProductApiError;
}

describe('retries (Atlassian algorithm)', () => {
  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    const { site, client, ck } = await setup();
    site.inject({ status: 429, retryAfter: '1', times: 1 });
    const t0 = performance.now();
    const res = await client.asApp(ck).request('/rest/test/echo', { timeoutMs: 3_000 });
    const gap = site.requests[1]!.at - site.requests[0]!.at;
    expect(res).toMatchObject({ status: 200, attempts: 2 });
    expect(gap).toBeGreaterThanOrEqual(1_000); // never earlier than asked
    expect(gap).toBeLessThan(1_300 + 300); // jitter at most ×1.3 (plus scheduling slack)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1_000);
  });

  it('retries a 503 on GET with exponential backoff, up to 4 retries', async () => {
    const { site, client, ck } = await setup();
    site.inject({ status: 503, times: 3 });
    expect((await client.asApp(ck).request('/rest/test/echo')).attempts).toBe(4);
    site.inject({ status: 503 });
    const err = await failure(client.asApp(ck).get('/rest/test/echo'));
    expect(err).toMatchObject({ kind: 'unavailable', status: 503, attempts: 5 });
  });

  it('never retries a POST unless the caller marks it idempotent', async () => {
    const { site, client, ck } = await setup();
    site.inject({ status: 503, times: 1 });
    const err = await failure(client.asApp(ck).post('/rest/test/echo', { n: 1 }));
    expect(err).toMatchObject({ kind: 'unavailable', attempts: 1 });
    expect(site.count('/rest/test/echo')).toBe(1);
    site.inject({ status: 429, retryAfter: '0', times: 1 });
    await expect(client.asApp(ck).post('/rest/test/echo', { n: 2 }, { idempotent: true })).resolves.toMatchObject({ method: 'POST' });
    expect(site.count('/rest/test/echo')).toBe(3);
  });

  it('does not retry other statuses (404, 500) and reports them as http errors', async () => {
    const { site, client, ck } = await setup();
    const notFound = await failure(client.asApp(ck).get('/rest/api/3/issue/NOPE-1'));
    expect(notFound).toMatchObject({ kind: 'http', status: 404, attempts: 1, productMessages: ['Issue does not exist'] });
    site.inject({ status: 500, times: 1 });
    expect(await failure(client.asApp(ck).get('/rest/test/echo'))).toMatchObject({ kind: 'http', status: 500, attempts: 1 });
  });

  it('fails fast instead of waiting past the deadline (Retry-After longer than the time left)', async () => {
    const { site, client, ck } = await setup();
    site.inject({ status: 429, retryAfter: '5', times: 1 });
    const t0 = performance.now();
    const err = await failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: 1_500 }));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 5_000, attempts: 1 });
    expect(site.count('/rest/test/echo')).toBe(1);
  });

  it('stops retrying when the remaining retries would not fit (exponential delays near the deadline)', async () => {
    const { site, client, ck } = await setup({ retry: { baseDelayMs: 100, maxDelayMs: 1_000 } });
    site.inject({ status: 503 }); // delays ≈ 200, 400, 800 ms × jitter
    const t0 = performance.now();
    const err = await failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: 700 }));
    const took = performance.now() - t0;
    expect(err.kind).toBe('unavailable');
    expect(took).toBeLessThan(700);
    expect(err.attempts).toBeGreaterThanOrEqual(2);
    expect(err.attempts).toBeLessThan(5);
  });
});

describe('deadlines', () => {
  it('ends a slow call at its deadline with kind timeout', async () => {
    const { site, client, ck } = await setup();
    site.latencyMs = 1_000;
    const t0 = performance.now();
    const err = await failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: 200 }));
    const took = performance.now() - t0;
    expect(err.kind).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(450);
  });

  it('shares an absolute deadline between calls, and honours the caller signal', async () => {
    const { site, client, ck } = await setup();
    site.latencyMs = 150;
    const deadline = Date.now() + 250;
    await client.asApp(ck).get('/rest/test/echo', { deadline });
    expect((await failure(client.asApp(ck).get('/rest/test/echo', { deadline }))).kind).toBe('timeout');
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 30);
    expect((await failure(client.asApp(ck).get('/rest/test/echo', { signal: ctrl.signal }))).kind).toBe('aborted');
  });

  it('reports a refused connection as kind network', async () => {
    const { site, client, ck } = await setup({ breaker: { failureThreshold: 100, halfOpenAfterMs: 300 } });
    await site.stop();
    const err = await failure(client.asApp(ck).get('/rest/test/echo'));
    expect(err).toMatchObject({ kind: 'network', attempts: 1 });
    expect(err.transient).toBe(true);
  });
});

describe('circuit breaker per tenant', () => {
  it('opens after repeated failures, fails fast without calling the site, then a probe closes it', async () => {
    const { site, client, ck } = await setup({ breaker: { failureThreshold: 3, halfOpenAfterMs: 300 } });
    const other = await setup();
    site.inject({ status: 500 });
    for (let i = 0; i < 3; i++) expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('http');
    expect(client.circuitState(ck)).toBe('open');
    const before = site.requests.length;
    const t0 = performance.now();
    expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('circuit_open');
    expect(performance.now() - t0).toBeLessThan(100);
    expect(site.requests.length).toBe(before);
    // another tenant is unaffected
    await expect(other.client.asApp(other.ck).get('/rest/test/echo')).resolves.toBeTruthy();

    // half-open: one probe; it fails, so the circuit opens again
    await new Promise((r) => setTimeout(r, 320));
    expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('http');
    expect(client.circuitState(ck)).toBe('open');
    expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('circuit_open');

    // the site recovers: the next probe succeeds and closes the circuit
    site.clearFaults();
    await new Promise((r) => setTimeout(r, 320));
    await expect(client.asApp(ck).get('/rest/test/echo')).resolves.toBeTruthy();
    expect(client.circuitState(ck)).toBe('closed');
    await expect(client.asApp(ck).get('/rest/test/echo')).resolves.toBeTruthy();
  });

  it('counts timeouts and refused connections, but not 4xx answers', async () => {
    const { site, client, ck } = await setup({ breaker: { failureThreshold: 2, halfOpenAfterMs: 10_000 } });
    for (let i = 0; i < 4; i++) await failure(client.asApp(ck).get('/rest/api/3/issue/NOPE-1'));
    expect(client.circuitState(ck)).toBe('closed');
    site.latencyMs = 500;
    await failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: 100 }));
    await site.stop();
    await failure(client.asApp(ck).get('/rest/test/echo'));
    expect(client.circuitState(ck)).toBe('open');
  });
});

describe('bulkhead per tenant', () => {
  it('keeps at most maxConcurrent calls in flight to one site, queues the rest, rejects beyond the queue', async () => {
    const { site, client, ck } = await setup({ bulkhead: { maxConcurrent: 2, maxQueued: 3 } });
    site.latencyMs = 150;
    const calls = Array.from({ length: 7 }, () => client.asApp(ck).get('/rest/test/echo').then(() => 'ok', (e: ProductApiError) => e.kind));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'overloaded')).toHaveLength(2);
    expect(site.maxInFlight).toBe(2);
  });

  it('a queued call still ends at its own deadline', async () => {
    const { site, client, ck } = await setup({ bulkhead: { maxConcurrent: 1, maxQueued: 5 } });
    site.latencyMs = 400;
    const first = client.asApp(ck).get('/rest/test/echo');
    const t0 = performance.now();
    const err = await failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: 150 }));
    expect(err.kind).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(350);
    await first;
  });
});
