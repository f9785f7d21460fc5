import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff';
import type { QueueDefinition, QueueEvents } from './definitions';
import { describeJobError, PermanentJobError, RetryLaterError } from './errors';
import type { JobRecord, JobStore } from './types';

/**
 * One run of one claimed job: the handler under a deadline with its lease renewed, then the
 * outcome recorded, fenced by the run (a run whose lease was taken over records nothing):
 * done; deferred (RetryLaterError, or stopped by a shutdown) without counting a failure; retried
 * with backoff; or dead (PermanentJobError, or maxAttempts failures).
 */
export interface RunDeps {
  store: JobStore;
  now(): number;
  random(): number;
  leaseMs: number;
  /** When a job's queue has no handler in this process: try again after this long. */
  retryUnknownAfterMs: number;
  emit<K extends keyof QueueEvents>(event: K, ...args: QueueEvents[K]): void;
}

export async function runJob(job: JobRecord, def: QueueDefinition<never> | undefined, stopAbort: AbortController, d: RunDeps): Promise<void> {
  const run = { id: job.id, lockedBy: job.lockedBy, attempts: job.attempts };
  const { store } = d;
  if (!def) return void (await store.retry(run, { runAt: d.now() + d.retryUnknownAfterMs, error: 'no handler here', failed: false }, d.now()));
  if (job.failures >= job.maxAttempts) {
    // Taken over after a crash that used up its last attempt.
    await store.bury(run, { error: job.lastError ?? 'too many failures', failed: false }, d.now());
    return void d.emit('dead', { job, error: job.lastError ?? 'too many failures' });
  }
  const started = d.now();
  d.emit('started', { job });
  const signal = AbortSignal.any([stopAbort.signal, AbortSignal.timeout(def.timeoutMs ?? 30_000)]);
  const heartbeat = setInterval(() => {
    store.extend(run, d.now() + d.leaseMs, d.now()).catch((error: unknown) => d.emit('error', { error, during: 'lease' }));
  }, Math.max(1_000, Math.floor(d.leaseMs / 3)));
  heartbeat.unref();
  let failure: { err: unknown } | undefined;
  try {
    await def.handler(job.payload as never, { job: job as JobRecord<never>, clientKey: job.clientKey, signal, now: d.now });
  } catch (err) {
    failure = { err };
  } finally {
    clearInterval(heartbeat);
  }
  try {
    const now = d.now();
    if (!failure) {
      if (await store.complete(run, now)) d.emit('completed', { job, durationMs: now - started });
      else d.emit('lost', { job });
      return;
    }
    const { err } = failure;
    const error = describeJobError(err);
    const deferredTo = err instanceof RetryLaterError ? err.at : stopAbort.signal.aborted ? now : undefined;
    if (deferredTo !== undefined) {
      if (await store.retry(run, { runAt: Math.max(now, deferredTo), error, failed: false }, now)) d.emit('retrying', { job, error, runAt: deferredTo, deferred: true });
      else d.emit('lost', { job });
      return;
    }
    const failures = job.failures + 1;
    if (err instanceof PermanentJobError || failures >= job.maxAttempts) {
      if (await store.bury(run, { error, failed: true }, now)) d.emit('dead', { job: { ...job, failures }, error });
      else d.emit('lost', { job });
      return;
    }
    const runAt = now + backoffDelayMs(failures, { ...DEFAULT_BACKOFF, ...def.backoff }, d.random);
    if (await store.retry(run, { runAt, error, failed: true }, now)) d.emit('retrying', { job: { ...job, failures }, error, runAt, deferred: false });
    else d.emit('lost', { job });
  } catch (error) {
    // The outcome could not be recorded: the lease expires and another run takes the job.
    d.emit('error', { error, during: `finish ${job.queue}` });
  }
}
