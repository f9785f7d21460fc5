import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProductClient } from './client';
import { ProductApiError } from './errors';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf } from '../testing';
import { fastClient } from '../testing/product-client';

/**
 * The client's timing rules without racing the machine: where a rule reads the clock (retry
 * scheduling, shared deadlines, the breaker's half-open wait) the clock is injected or Date is
 * frozen and moved by hand; where a real timer must fire (a deadline cutting a call short) the
 * product is made far slower than the budget, so "ended at the deadline" is "ended before the
 * product answered".
 */

const fakes: FakeProduct[] = [];
async function setup(opts: Parameters<typeof fastClient>[2] = {}): Promise<{ site: FakeProduct; client: ProductClient; ck: string; dir: TenantDirectory }> {
  const site = new FakeProduct(newFakeSite(), opts.now);
  await site.start();
  fakes.push(site);
  const dir = new TenantDirectory();
  dir.put(tenantOf(site));
  return { site, client: fastClient(dir, site, opts), ck: site.site.clientKey, dir };
}
afterEach(async () => {
  vi.useRealTimers();
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

/** The retry delays the client scheduled, from its debug log. */
function retryLog(onRetry: (delay: number) => void = () => undefined) {
  const delays: number[] = [];
  const log = {
    info: () => undefined,
    warn: () => undefined,
    debug: (o: object) => {
      const delay = (o as { delay?: number }).delay;
      if (typeof delay === 'number') {
        delays.push(delay);
        onRetry(delay);
      }
    },
  };
  return { delays, log };
}

/** How long a call took on the wall clock. */
async function timed<T>(p: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await p();
  return { value, ms: performance.now() - t0 };
}

/** setTimeout's clock has millisecond resolution: a timer of N ms may be measured at N - 1. */
const TIMER_RESOLUTION_MS = 1;

describe('retries (Atlassian algorithm)', () => {
  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    const { delays, log } = retryLog();
    // random 0.5: the Retry-After jitter factor is the middle of [1, 1.3].
    const { site, client, ck } = await setup({ random: () => 0.5, log });
    site.inject({ status: 429, retryAfter: '1', times: 1 });
    const res = await client.asApp(ck).request('/rest/test/echo');
    expect(res).toMatchObject({ status: 200, attempts: 2 });
    expect(delays).toEqual([1_150]);
    // never earlier than asked (the product stamps arrivals with Date.now(): whole milliseconds)
    expect(site.requests[1]!.at - site.requests[0]!.at).toBeGreaterThanOrEqual(1_000);
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
    const BUDGET_MS = 10_000;
    const { site, client, ck } = await setup();
    site.inject({ status: 429, retryAfter: String((6 * BUDGET_MS) / 1000), times: 1 });
    const { value: err, ms } = await timed(() => failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: BUDGET_MS })));
    // Waiting would have ended in `timeout` at the deadline: the product's own answer comes back at once.
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 6 * BUDGET_MS, attempts: 1 });
    expect(ms).toBeLessThan(BUDGET_MS);
    expect(site.count('/rest/test/echo')).toBe(1);
  });

  it('stops retrying when the remaining retries would not fit (exponential delays near the deadline)', async () => {
    // Virtual time: each attempt costs ATTEMPT_MS of the budget and each retry its delay, so
    // the schedule is decided by the rule alone, however slow the machine is.
    const BUDGET_MS = 10_000;
    const ATTEMPT_MS = 3_000;
    const MIN_ATTEMPT_MS = 950;
    let t = Date.now();
    const { delays, log } = retryLog((delay) => (t += delay));
    const { site, client, ck } = await setup({
      now: () => t,
      random: () => 0.5, // jitter factor 1.0: delays 10, 20, 40, 80 ms
      retry: { baseDelayMs: 5, maxDelayMs: 1_000 },
      minAttemptMs: MIN_ATTEMPT_MS,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        t += ATTEMPT_MS;
        return res;
      },
      log,
    });
    site.inject({ status: 503 });
    const err = await failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: BUDGET_MS }));
    // After attempt 3, 9 030 ms are used: 40 ms of delay + 950 ms for an attempt would end past 10 000.
    expect(delays).toEqual([10, 20]);
    expect(err).toMatchObject({ kind: 'unavailable', status: 503, attempts: 3 });
    expect(site.count('/rest/test/echo')).toBe(3);
  });
});

describe('deadlines', () => {
  it('ends a slow call at its deadline with kind timeout', async () => {
    const BUDGET_MS = 200;
    const { site, client, ck } = await setup();
    site.latencyMs = 50 * BUDGET_MS;
    const { value: err, ms } = await timed(() => failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: BUDGET_MS })));
    expect(err.kind).toBe('timeout');
    expect(ms).toBeGreaterThanOrEqual(BUDGET_MS - TIMER_RESOLUTION_MS);
    expect(ms).toBeLessThan(site.latencyMs); // released by the deadline, not by the product's answer
  });

  it('shares an absolute deadline between calls, and honours the caller signal', async () => {
    let t = Date.now();
    const { site, client, ck } = await setup({ now: () => t });
    const rq = client.asApp(ck);
    const deadline = t + 10_000;
    await rq.get('/rest/test/echo', { deadline });
    // The first call and the page's other work used half the time; the product now needs 20 s:
    // the call ends when what is left of the shared deadline has passed, not when the product answers.
    t = deadline - 5_000;
    site.latencyMs = 20_000;
    const { value: late, ms } = await timed(() => failure(rq.get('/rest/test/echo', { deadline })));
    expect(late.kind).toBe('timeout');
    expect(ms).toBeLessThan(site.latencyMs);
    await vi.waitFor(() => expect(site.count('/rest/test/echo')).toBe(2), { timeout: 20_000 }); // it was sent
    // Once the deadline has passed, a call fails before sending anything.
    t = deadline;
    expect((await failure(rq.get('/rest/test/echo', { deadline }))).kind).toBe('timeout');
    expect(site.count('/rest/test/echo')).toBe(2);

    const ctrl = new AbortController();
    const aborted = failure(rq.get('/rest/test/echo', { signal: ctrl.signal }));
    await vi.waitFor(() => expect(site.count('/rest/test/echo')).toBe(3), { timeout: 20_000 }); // the product has it
    ctrl.abort();
    expect((await aborted).kind).toBe('aborted');
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
    // cockatiel times the open state with Date.now(): frozen here and moved by hand.
    const HALF_OPEN_MS = 30_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    const { site, client, ck } = await setup({ breaker: { failureThreshold: 3, halfOpenAfterMs: HALF_OPEN_MS } });
    const other = await setup();
    site.inject({ status: 500 });
    for (let i = 0; i < 3; i++) expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('http');
    expect(client.circuitState(ck)).toBe('open');
    const before = site.requests.length;
    expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('circuit_open');
    expect(site.requests.length).toBe(before);
    // another tenant is unaffected
    await expect(other.client.asApp(other.ck).get('/rest/test/echo')).resolves.toBeTruthy();
    vi.advanceTimersByTime(HALF_OPEN_MS - 1);
    expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('circuit_open');
    expect(site.requests.length).toBe(before);

    // half-open: one probe; it fails, so the circuit opens again
    vi.advanceTimersByTime(1);
    expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('http');
    expect(site.requests.length).toBe(before + 1);
    expect(client.circuitState(ck)).toBe('open');
    expect((await failure(client.asApp(ck).get('/rest/test/echo'))).kind).toBe('circuit_open');

    // the site recovers: the next probe succeeds and closes the circuit
    site.clearFaults();
    vi.advanceTimersByTime(HALF_OPEN_MS);
    await expect(client.asApp(ck).get('/rest/test/echo')).resolves.toBeTruthy();
    expect(client.circuitState(ck)).toBe('closed');
    await expect(client.asApp(ck).get('/rest/test/echo')).resolves.toBeTruthy();
  });

  it('counts timeouts and refused connections, but not 4xx answers', async () => {
    const { site, client, ck } = await setup({ breaker: { failureThreshold: 2, halfOpenAfterMs: 10_000 } });
    for (let i = 0; i < 4; i++) await failure(client.asApp(ck).get('/rest/api/3/issue/NOPE-1'));
    expect(client.circuitState(ck)).toBe('closed');
    site.latencyMs = 10_000;
    expect((await failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: 100 }))).kind).toBe('timeout');
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
    const BUDGET_MS = 150;
    const { site, client, ck } = await setup({ bulkhead: { maxConcurrent: 1, maxQueued: 5 } });
    site.latencyMs = 50 * BUDGET_MS;
    const holder = new AbortController();
    const first = client.asApp(ck).get('/rest/test/echo', { signal: holder.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(site.count('/rest/test/echo')).toBe(1), { timeout: 20_000 }); // it holds the only slot
    const { value: err, ms } = await timed(() => failure(client.asApp(ck).get('/rest/test/echo', { timeoutMs: BUDGET_MS })));
    expect(err.kind).toBe('timeout');
    expect(ms).toBeGreaterThanOrEqual(BUDGET_MS - TIMER_RESOLUTION_MS);
    expect(ms).toBeLessThan(site.latencyMs); // did not wait for the slot to free up
    expect(site.count('/rest/test/echo')).toBe(1); // never reached the site
    holder.abort();
    expect(await first).toMatchObject({ kind: 'aborted' });
  });
});
