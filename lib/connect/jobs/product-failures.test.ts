import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProductApiError } from '../product/errors';
import { deferredByRateLimit, PermanentJobError, RateLimitDeferral, RetryLaterError } from './errors';
import { jobErrorForProductFailure } from './product-failures';
import { JobQueue } from './queue';
import { JOBS_TABLE_SQL } from './schema';
import { SqlJobStore } from './sql-store';

/**
 * A job whose product call is rate limited waits for the reset and is never a failure, however
 * long the limit holds: it cannot run out of attempts or go dead while Jira limits the site.
 * The clock is moved by hand; nothing waits for wall-clock time.
 */
const T0 = Date.parse('2026-12-03T10:15:00Z');
const RESET = Date.parse('2026-12-03T11:00:00Z');
const limited = (init: ConstructorParameters<typeof ProductApiError>[2]) => new ProductApiError('rate_limited', 'rate limited', { method: 'PUT', path: '/rest/api/3/issue/10001/properties/p', ...init });

describe('jobErrorForProductFailure', () => {
  it('a rate limit defers to the latest reset known: the error, the shared state, or one second', () => {
    const fromError = jobErrorForProductFailure(limited({ status: 429, retryAfterMs: 30_000, limit: 'site' }), T0);
    expect(fromError).toBeInstanceOf(RateLimitDeferral);
    expect(fromError).toMatchObject({ at: T0 + 30_000, limit: 'site' });

    // A 429's Retry-After said 30 s, the state (X-RateLimit-Reset) says the top of the hour: the hour wins.
    expect(jobErrorForProductFailure(limited({ status: 429, retryAfterMs: 30_000, limit: 'site' }), T0, { pausedUntil: RESET })).toMatchObject({ at: RESET });
    // Nothing said when: one second, still not a failure.
    const bare = jobErrorForProductFailure(limited({ status: 429 }), T0);
    expect(bare).toBeInstanceOf(RetryLaterError);
    expect(bare).toMatchObject({ at: T0 + 1_000, limit: 'burst' });
    // A pause the client knew of (nothing sent), for the app-wide pool.
    const gated = jobErrorForProductFailure(limited({ retryAfterMs: 600_000, limit: 'app' }), T0) as RateLimitDeferral;
    expect(gated.message).toContain('(app, nothing sent)');
  });

  it('other failures keep their meaning', () => {
    expect(jobErrorForProductFailure(new ProductApiError('unavailable', 'x', { status: 503, retryAfterMs: 5_000 }), T0)).toMatchObject({ at: T0 + 5_000 });
    expect(jobErrorForProductFailure(new ProductApiError('unavailable', 'x', { status: 503, retryAfterMs: 5_000 }), T0)).not.toBeInstanceOf(RateLimitDeferral);
    expect(jobErrorForProductFailure(new ProductApiError('not_installed', 'x'), T0)).toBeInstanceOf(PermanentJobError);
    expect(jobErrorForProductFailure(new ProductApiError('http', 'x', { status: 403 }), T0)).toBeInstanceOf(PermanentJobError);
    const timeout = new ProductApiError('timeout', 'x');
    expect(jobErrorForProductFailure(timeout, T0)).toBe(timeout);
  });
});

describe('a rate-limited job in the queue', () => {
  let pg: PGlite;
  let store: SqlJobStore;
  let t = T0;
  beforeAll(async () => {
    pg = await PGlite.create();
    await pg.exec(JOBS_TABLE_SQL);
    store = new SqlJobStore({ query: async (sql, params) => (await pg.query(sql, params)).rows as never[] });
  });
  afterAll(() => pg.close());
  beforeEach(async () => {
    t = T0;
    await pg.exec('DELETE FROM "ConnectJob"');
  });

  it('is rescheduled for the reset the state knows, many more times than maxAttempts, then written once the limit is gone', async () => {
    let limitedUntil = RESET;
    const sent: number[] = [];
    const q = new JobQueue({ store, now: () => t, random: () => 0.5, pollIntervalMs: 60_000 }).define<{ issueId: string }>({
      name: 'issue-property',
      maxAttempts: 3,
      handler: async (_p, ctx) => {
        // What the client does: refuses (nothing sent) while the shared state holds a pause.
        if (ctx.now() < limitedUntil) throw jobErrorForProductFailure(limited({ retryAfterMs: 5_000, limit: 'site' }), ctx.now(), { pausedUntil: limitedUntil });
        sent.push(ctx.now());
      },
    });
    await q.enqueue('issue-property', { clientKey: 'site-a', payload: { issueId: '10001' }, coalesceKey: '10001' });
    expect(await q.runDue()).toBe(1);

    let [job] = await store.unfinished({ queue: 'issue-property', clientKey: 'site-a', coalesceKey: '10001' });
    expect(job).toMatchObject({ status: 'pending', runAt: RESET, failures: 0 });
    expect(deferredByRateLimit(job!)).toBe(true);
    expect(job!.lastError).toMatch(/^RateLimitDeferral: product rate limited \(site, nothing sent\) until 2026-12-03T11:00:00.000Z/);

    // Not a moment before the reset.
    t = RESET - 1;
    expect(await q.runDue()).toBe(0);
    // The limit holds hour after hour: deferred each time, never a failure, never dead.
    for (let hour = 1; hour <= 5; hour++) {
      t = limitedUntil;
      limitedUntil += 3_600_000;
      expect(await q.runDue()).toBe(1);
      [job] = await store.unfinished({ queue: 'issue-property', clientKey: 'site-a', coalesceKey: '10001' });
      expect(job).toMatchObject({ status: 'pending', runAt: limitedUntil, failures: 0, attempts: hour + 1 });
    }
    expect(sent).toEqual([]);

    t = limitedUntil;
    expect(await q.runDue()).toBe(1);
    expect(sent).toEqual([limitedUntil]);
    expect(await store.unfinished({ queue: 'issue-property', clientKey: 'site-a', coalesceKey: '10001' })).toEqual([]);
  });

  it('unfinished() lists only the waiting and running jobs of that issue', async () => {
    const q = new JobQueue({ store, now: () => t, pollIntervalMs: 60_000 }).define({ name: 'issue-property', handler: async () => {} });
    await q.enqueue('issue-property', { clientKey: 'site-a', payload: {}, coalesceKey: '10001', delayMs: 2_000 });
    await q.enqueue('issue-property', { clientKey: 'site-a', payload: {}, coalesceKey: '10002' });
    await q.enqueue('issue-property', { clientKey: 'site-b', payload: {}, coalesceKey: '10001' });
    await q.runDue();
    const mine = await store.unfinished({ queue: 'issue-property', clientKey: 'site-a', coalesceKey: '10001' });
    expect(mine.map((j) => [j.clientKey, j.coalesceKey, j.status, j.runAt])).toEqual([['site-a', '10001', 'pending', T0 + 2_000]]);
    expect(deferredByRateLimit(mine[0]!)).toBe(false);
    expect(await store.unfinished({ queue: 'issue-property', clientKey: 'site-a', coalesceKey: '10002' })).toEqual([]);
  });
});
