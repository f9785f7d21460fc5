import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { EnqueueOptions, JobQueueOptions, QueueDefinition, QueueEvents } from './definitions';
import { describeJobError } from './errors';
import { runJob, type RunDeps } from './run';
import type { EnqueueOutcome, JobRecord, JobStore, QueueStats, SqlClient } from './types';

export type { EnqueueOptions, JobContext, JobQueueOptions, QueueDefinition, QueueEvents, QueueLogger } from './definitions';

/**
 * A durable job queue: jobs are rows (a JobStore), so an acknowledged webhook or a write to the
 * product survives a restart, and any number of instances share one queue without running a
 * job twice at the same time. Each queue name has one handler; a failed run is retried with
 * exponential backoff until `maxAttempts`, then kept as `dead`.
 *
 * Time comes from an injected clock (`now`), so tests move time instead of waiting; the worker
 * loop polls every `pollIntervalMs` and is woken at once by enqueues and finished runs in this
 * process. `stop()` stops claiming and waits for the running handlers (aborting their signal
 * after a deadline), so a shutdown happens between jobs. Events report every transition, for
 * logs, metrics and tests (`stats()` gives depth and age).
 */

export class JobQueue extends EventEmitter<QueueEvents> {
  readonly workerId: string;
  private readonly definitions = new Map<string, QueueDefinition<never>>();
  private readonly running = new Map<string, { done: Promise<void>; abort: AbortController }>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private loop?: Promise<void>;
  private stopping = false;
  private wakeUp?: () => void;
  /** A wake that arrived while the loop was busy: the next sleep returns at once. */
  private woken = false;
  private backlog = false;
  private readonly batchDelayMs: number;
  private readonly runDeps: RunDeps;
  private lastPrune = 0;

  constructor(private readonly opts: JobQueueOptions) {
    super();
    this.workerId = opts.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.concurrency = opts.concurrency ?? 4;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1_000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.batchDelayMs = opts.batchDelayMs ?? 10;
    this.runDeps = {
      store: opts.store,
      now: this.now,
      random: this.random,
      leaseMs: this.leaseMs,
      retryUnknownAfterMs: this.pollIntervalMs,
      emit: (event, ...args) => void (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
    };
    // 'error' events must not throw when nobody listens.
    this.on('error', ({ error, during }) => opts.log?.error({ err: describeJobError(error), during }, 'job queue error'));
  }

  /** Registers the handler of one queue name (before start). */
  define<P>(def: QueueDefinition<P>): this {
    if (this.definitions.has(def.name)) throw new Error(`queue ${def.name} is already defined`);
    this.definitions.set(def.name, def as QueueDefinition<never>);
    return this;
  }

  get store(): JobStore {
    return this.opts.store;
  }

  /** `within`: enqueue on this client (e.g. the transaction making the change; wake the worker after it commits). */
  async enqueue<P>(queue: string, o: EnqueueOptions<P>, within?: SqlClient): Promise<{ id: string | null; outcome: EnqueueOutcome }> {
    const def = this.definitions.get(queue);
    if (!def) throw new Error(`unknown queue ${queue}`);
    const now = this.now();
    const r = await this.opts.store.enqueue(
      {
        queue,
        clientKey: o.clientKey,
        payload: o.payload,
        runAt: o.runAt ?? now + (o.delayMs ?? 0),
        maxAttempts: def.maxAttempts ?? 10,
        dedupeKey: o.dedupeKey,
        coalesceKey: o.coalesceKey,
      },
      now,
      within,
    );
    this.emit('enqueued', { queue, clientKey: o.clientKey, ...r });
    // In someone's transaction the row is not visible yet: the poll (or their wake()) finds it.
    if (r.outcome === 'created' && !within) this.wake();
    return r;
  }

  /** Starts the worker loop (idempotent). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.work().finally(() => (this.loop = undefined));
  }

  get started(): boolean {
    return !!this.loop;
  }

  /** Wakes the worker now (e.g. after a test moved the clock). */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /**
   * Stops claiming, then waits for the running handlers. After `timeoutMs` their signals are
   * aborted; a run aborted by a stop goes back to waiting without counting as a failure.
   */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    const runs = [...this.running.values()];
    if (!runs.length) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const r of runs) r.abort.abort(new Error('the queue is stopping'));
        resolve();
      }, opts.timeoutMs ?? 10_000);
      timer.unref();
    });
    await Promise.race([Promise.all(runs.map((r) => r.done)), deadline]);
    clearTimeout(timer);
    await Promise.all(runs.map((r) => r.done));
  }

  /** Runs the jobs due now in this worker and waits for them; returns how many ran. */
  async runDue(): Promise<number> {
    const jobs = await this.claim(this.concurrency);
    await Promise.all(jobs.map((j) => this.launch(j)));
    return jobs.length;
  }

  /** runDue until nothing is due (jobs whose retry lies in the future stay). */
  async drain(max = 10_000): Promise<number> {
    let total = 0;
    for (let n = await this.runDue(); n > 0 && total < max; n = await this.runDue()) total += n;
    return total;
  }

  stats(): Promise<QueueStats> {
    return this.opts.store.stats(this.now());
  }

  /** Jobs running in this process right now. */
  get active(): number {
    return this.running.size;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        const free = this.concurrency - this.running.size;
        if (free > 0) {
          const jobs = await this.claim(free);
          claimed = jobs.length;
          // A full claim means more may be due: a run that ends claims again at once.
          this.backlog = claimed === free;
          for (const j of jobs) void this.launch(j);
          if (!claimed && !this.running.size) this.emit('idle');
        } else {
          this.backlog = true;
        }
        await this.maybePrune();
      } catch (error) {
        this.emit('error', { error, during: 'poll' });
      }
      if (this.stopping) break;
      if (claimed && this.backlog && this.running.size < this.concurrency) continue;
      await this.sleep();
      // Jobs recorded in a burst (webhook deliveries) are claimed together, and the requests
      // recording them are not interleaved with a claim per job.
      if (this.batchDelayMs > 0 && !this.stopping) await new Promise((r) => setTimeout(r, this.batchDelayMs).unref());
    }
  }

  private sleep(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      timer.unref();
      this.wakeUp = done;
    });
  }

  private claim(limit: number): Promise<JobRecord[]> {
    return this.opts.store.claim({ workerId: this.workerId, now: this.now(), limit, leaseMs: this.leaseMs, queues: [...this.definitions.keys()] });
  }

  private launch(job: JobRecord): Promise<void> {
    const abort = new AbortController();
    const done = runJob(job, this.definitions.get(job.queue), abort, this.runDeps).finally(() => {
      this.running.delete(job.id);
      if (this.backlog) this.wake();
    });
    this.running.set(job.id, { done, abort });
    return done;
  }

  private async maybePrune(): Promise<void> {
    const now = this.now();
    if (now - this.lastPrune < 10 * 60_000) return;
    this.lastPrune = now;
    await this.opts.store.prune({
      doneBefore: now - (this.opts.keepDoneMs ?? 3 * 86_400_000),
      deadBefore: now - (this.opts.keepDeadMs ?? 14 * 86_400_000),
      limit: 1_000,
    });
  }
}
