import type { BackoffOptions } from './backoff';
import type { EnqueueOutcome, JobRecord, JobStore } from './types';

/** The job queue's public options, handler contract and events (see queue.ts). */

export interface QueueLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobContext<P> {
  job: JobRecord<P>;
  clientKey: string;
  /** Aborted when the run's deadline passes or a stop's deadline passes. */
  signal: AbortSignal;
  /** The queue's clock. */
  now(): number;
}

export interface QueueDefinition<P = unknown> {
  name: string;
  handler: (payload: P, ctx: JobContext<P>) => Promise<void>;
  /** Failed runs before the job is dead. Default 10. */
  maxAttempts?: number;
  backoff?: Partial<BackoffOptions>;
  /** A run's deadline (its signal aborts). Default 30 s; keep it below the lease. */
  timeoutMs?: number;
}

export interface EnqueueOptions<P> {
  clientKey: string;
  payload: P;
  /** Not before now + delayMs (e.g. a coalescing window). */
  delayMs?: number;
  /** Not before this time (epoch ms); wins over delayMs. */
  runAt?: number;
  dedupeKey?: string;
  coalesceKey?: string;
}

export interface JobQueueOptions {
  store: JobStore;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  random?: () => number;
  /** Identifies this worker in `lockedBy` (default: a random id per queue). */
  workerId?: string;
  /** Jobs run at once by this worker. Default 4. */
  concurrency?: number;
  pollIntervalMs?: number;
  /** After a wake, wait this long before claiming, so a burst is claimed at once. Default 10 ms. */
  batchDelayMs?: number;
  /** A claimed job's lease; renewed every third of it while the handler runs. Default 60 s. */
  leaseMs?: number;
  /** How long finished jobs are kept (the webhook dedupe window lives as long). */
  keepDoneMs?: number;
  keepDeadMs?: number;
  log?: QueueLogger;
}

export interface QueueEvents {
  enqueued: [{ queue: string; clientKey: string; id: string | null; outcome: EnqueueOutcome }];
  started: [{ job: JobRecord }];
  completed: [{ job: JobRecord; durationMs: number }];
  retrying: [{ job: JobRecord; error: string; runAt: number; deferred: boolean }];
  dead: [{ job: JobRecord; error: string }];
  /** A run finished after its lease was taken over by another worker: its outcome was dropped. */
  lost: [{ job: JobRecord }];
  /** A poll found nothing due and nothing is running here. */
  idle: [];
  error: [{ error: unknown; during: string }];
}
