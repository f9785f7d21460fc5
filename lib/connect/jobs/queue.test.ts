import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobQueue, type QueueEvents } from './queue';
import { PermanentJobError, RetryLaterError } from './errors';
import { JOBS_TABLE_SQL } from './schema';
import { SqlJobStore } from './sql-store';

/**
 * The queue on a real (embedded) PostgreSQL. Time is a hand-moved clock: nothing here waits for
 * wall-clock time to pass; tests wait on the queue's own events.
 */
let pg: PGlite;
let store: SqlJobStore;
let t: number;
const clock = () => t;
const T0 = Date.parse('2026-12-01T10:00:00Z');

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

function queue(opts: Partial<ConstructorParameters<typeof JobQueue>[0]> = {}) {
  return new JobQueue({ store, now: clock, random: () => 0.5, pollIntervalMs: 60_000, ...opts });
}

function once<K extends keyof QueueEvents>(q: JobQueue, event: K): Promise<QueueEvents[K]> {
  return new Promise((resolve) => q.once(event, ((...args: QueueEvents[K]) => resolve(args)) as never));
}

async function row(id: string) {
  return (await pg.query<{ status: string; attempts: number; failures: number; coalesced: number; payload: unknown; lastError: string | null }>(
    'SELECT status, attempts, failures, coalesced, payload, "lastError" FROM "ConnectJob" WHERE id = $1::bigint',
    [id],
  )).rows[0]!;
}

describe('JobQueue on SQL', () => {
  it('runs an enqueued job once and records it done', async () => {
    const seen: unknown[] = [];
    const q = queue().define<{ n: number }>({ name: 'work', handler: async (p, ctx) => void seen.push([p, ctx.clientKey]) });
    const { id, outcome } = await q.enqueue('work', { clientKey: 'site-a', payload: { n: 1 } });
    expect(outcome).toBe('created');
    expect(await q.runDue()).toBe(1);
    expect(await q.runDue()).toBe(0);
    expect(seen).toEqual([[{ n: 1 }, 'site-a']]);
    expect(await row(id!)).toMatchObject({ status: 'done', attempts: 1, failures: 0 });
  });

  it('a second enqueue with the same dedupe key is a duplicate, even after the first ran', async () => {
    let runs = 0;
    const q = queue().define({ name: 'hook', handler: async () => void runs++ });
    expect((await q.enqueue('hook', { clientKey: 's', payload: {}, dedupeKey: 'd-1' })).outcome).toBe('created');
    expect((await q.enqueue('hook', { clientKey: 's', payload: {}, dedupeKey: 'd-1' })).outcome).toBe('duplicate');
    await q.drain();
    expect((await q.enqueue('hook', { clientKey: 's', payload: {}, dedupeKey: 'd-1' })).outcome).toBe('duplicate');
    // another site may use the same identifier
    expect((await q.enqueue('hook', { clientKey: 'other', payload: {}, dedupeKey: 'd-1' })).outcome).toBe('created');
    await q.drain();
    expect(runs).toBe(2);
  });

  it('coalesces a burst into one run after the window, with the last payload', async () => {
    const seen: number[] = [];
    const q = queue().define<{ v: number }>({ name: 'prop', handler: async (p) => void seen.push(p.v) });
    for (let v = 1; v <= 20; v++) {
      await q.enqueue('prop', { clientKey: 's', payload: { v }, coalesceKey: 'issue-1', delayMs: 2_000 });
      t += 50; // edits keep coming within the window
    }
    t = T0 + 1_999;
    expect(await q.runDue()).toBe(0);
    t = T0 + 2_000;
    expect(await q.runDue()).toBe(1);
    expect(seen).toEqual([20]);
    const [r] = (await pg.query<{ coalesced: number }>('SELECT coalesced FROM "ConnectJob"')).rows;
    expect(r!.coalesced).toBe(19);
  });

  it('an enqueue while the job runs starts a new job for the key (the running one may have read old data)', async () => {
    let release!: () => void;
    const runs: number[] = [];
    const q = queue().define<{ v: number }>({
      name: 'prop',
      handler: async (p) => {
        runs.push(p.v);
        if (p.v === 1) await new Promise<void>((r) => (release = r));
      },
    });
    await q.enqueue('prop', { clientKey: 's', payload: { v: 1 }, coalesceKey: 'k' });
    const first = q.runDue();
    await once(q, 'started');
    expect((await q.enqueue('prop', { clientKey: 's', payload: { v: 2 }, coalesceKey: 'k' })).outcome).toBe('created');
    release();
    await first;
    await q.drain();
    expect(runs).toEqual([1, 2]);
  });

  it('retries a failure with backoff, then succeeds', async () => {
    let calls = 0;
    const q = queue().define({
      name: 'flaky',
      backoff: { baseMs: 1_000, factor: 2, jitter: 0.3 },
      handler: async () => {
        if (++calls < 3) throw new Error(`boom ${calls}`);
      },
    });
    const { id } = await q.enqueue('flaky', { clientKey: 's', payload: {} });
    const retried = once(q, 'retrying');
    await q.runDue();
    const [{ runAt, deferred, error }] = await retried;
    expect({ runAt: runAt - t, deferred, error }).toEqual({ runAt: 1_000, deferred: false, error: 'Error: boom 1' });
    t += 999;
    expect(await q.runDue()).toBe(0);
    t += 1;
    await q.runDue(); // second failure: 2 s
    expect(await row(id!)).toMatchObject({ status: 'pending', failures: 2, lastError: 'Error: boom 2' });
    t += 2_000;
    await q.runDue();
    expect(await row(id!)).toMatchObject({ status: 'done', attempts: 3, failures: 2 });
  });

  it('gives up after maxAttempts and keeps the job as dead', async () => {
    const q = queue().define({ name: 'bad', maxAttempts: 2, backoff: { baseMs: 10 }, handler: async () => Promise.reject(new Error('always')) });
    const { id } = await q.enqueue('bad', { clientKey: 's', payload: {} });
    await q.runDue();
    t += 1_000;
    const dead = once(q, 'dead');
    await q.runDue();
    expect((await dead)[0].error).toBe('Error: always');
    expect(await row(id!)).toMatchObject({ status: 'dead', failures: 2 });
    expect((await q.stats()).dead).toBe(1);
  });

  it('a permanent error is dead at once', async () => {
    const q = queue().define({ name: 'perm', handler: async () => Promise.reject(new PermanentJobError('scope missing')) });
    const { id } = await q.enqueue('perm', { clientKey: 's', payload: {} });
    await q.runDue();
    expect(await row(id!)).toMatchObject({ status: 'dead', failures: 1, lastError: 'PermanentJobError: scope missing' });
  });

  it('retry-later runs exactly then, is not a failure, and new enqueues do not pull it earlier', async () => {
    let calls = 0;
    const q = queue().define<{ v: number }>({
      name: 'limited',
      handler: async (_p, ctx) => {
        if (++calls === 1) throw new RetryLaterError(ctx.now() + 30_000, 'rate limited');
      },
    });
    const { id } = await q.enqueue('limited', { clientKey: 's', payload: { v: 1 }, coalesceKey: 'k' });
    await q.runDue();
    expect(await row(id!)).toMatchObject({ status: 'pending', failures: 0, attempts: 1 });
    expect((await q.enqueue('limited', { clientKey: 's', payload: { v: 2 }, coalesceKey: 'k' })).outcome).toBe('coalesced');
    t += 29_999;
    expect(await q.runDue()).toBe(0);
    t += 1;
    expect(await q.runDue()).toBe(1);
    expect(await row(id!)).toMatchObject({ status: 'done', payload: { v: 2 } });
  });

  it('a crashed worker’s job is taken over after its lease, and the late run cannot finish it', async () => {
    const a = queue({ workerId: 'a', leaseMs: 60_000 }).define({ name: 'w', handler: async () => {} });
    const b = queue({ workerId: 'b', leaseMs: 60_000 });
    let ranOnB = 0;
    b.define({ name: 'w', handler: async () => void ranOnB++ });
    const { id } = await a.enqueue('w', { clientKey: 's', payload: {} });
    // Worker a claims and then "dies" (never reports).
    const [claimed] = await store.claim({ workerId: 'a', now: t, limit: 1, leaseMs: 60_000, queues: ['w'] });
    expect(claimed!.id).toBe(id);
    t += 59_999;
    expect(await b.runDue()).toBe(0);
    t += 1;
    expect(await b.runDue()).toBe(1);
    expect(ranOnB).toBe(1);
    expect(await row(id!)).toMatchObject({ status: 'done', attempts: 2, failures: 1 });
    expect(await store.complete({ id: id!, lockedBy: 'a', attempts: 1 }, t)).toBe(false);
  });

  it('stop() waits for the running job to finish', async () => {
    let release!: () => void;
    const q = queue().define({ name: 'slow', handler: () => new Promise<void>((r) => (release = r)) });
    const { id } = await q.enqueue('slow', { clientKey: 's', payload: {} });
    const started = once(q, 'started');
    q.start();
    await started;
    let stopped = false;
    const stopping = q.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    expect(await row(id!)).toMatchObject({ status: 'running' });
    release();
    await stopping;
    expect(await row(id!)).toMatchObject({ status: 'done' });
    expect(q.started).toBe(false);
  });

  it('a stop past its deadline aborts the handler, and the job waits again without a failure', async () => {
    const q = queue().define({
      name: 'stuck',
      handler: (_p, ctx) => new Promise<void>((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    });
    const { id } = await q.enqueue('stuck', { clientKey: 's', payload: {} });
    const started = once(q, 'started');
    q.start();
    await started;
    await q.stop({ timeoutMs: 1 });
    expect(await row(id!)).toMatchObject({ status: 'pending', failures: 0, attempts: 1 });
  });

  it('the worker loop picks up new jobs on its own', async () => {
    const q = queue().define<{ n: number }>({ name: 'bg', handler: async () => {} });
    q.start();
    try {
      const done = once(q, 'completed');
      const { id } = await q.enqueue('bg', { clientKey: 's', payload: { n: 1 } });
      expect((await done)[0].job.id).toBe(id);
    } finally {
      await q.stop();
    }
  });

  it('reports depth and age, cancels waiting jobs, releases running ones', async () => {
    const q = queue().define({ name: 'x', handler: async () => {} });
    await q.enqueue('x', { clientKey: 's', payload: {}, coalesceKey: 'i-1', delayMs: 5_000 });
    t += 1_000;
    await q.enqueue('x', { clientKey: 's', payload: {}, coalesceKey: 'i-2' });
    t += 2_000;
    expect(await q.stats()).toEqual({ pending: 2, due: 1, running: 0, dead: 0, oldestPendingAgeMs: 3_000, dueLagMs: 2_000 });
    expect(await store.cancel({ clientKey: 's', queue: 'x', coalesceKey: 'i-1' })).toBe(1);
    await store.claim({ workerId: 'gone', now: t, limit: 5, leaseMs: 60_000 });
    expect((await q.stats()).running).toBe(1);
    expect(await store.releaseRunning(t)).toBe(1);
    expect(await q.stats()).toMatchObject({ pending: 1, running: 0 });
  });

  it('prunes finished jobs past their keep time', async () => {
    const q = queue({ keepDoneMs: 1_000 }).define({ name: 'p', handler: async () => {} });
    await q.enqueue('p', { clientKey: 's', payload: {} });
    await q.drain();
    t += 1_001;
    expect(await store.prune({ doneBefore: t - 1_000, deadBefore: t, limit: 10 })).toBe(1);
  });
});
