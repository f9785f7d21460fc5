/**
 * The durable job queue's records and the storage it runs on. The queue (queue.ts) holds the
 * policy (retries, backoff, leases, coalescing windows); a store only persists and claims rows.
 * The SQL store (sql-store.ts) is the one implementation, on PostgreSQL and PGlite alike.
 */

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface JobRecord<P = unknown> {
  /** A bigint, as a string. */
  id: string;
  queue: string;
  /** The tenant the job belongs to: purged with the site's data. */
  clientKey: string;
  payload: P;
  status: JobStatus;
  /** Epoch ms: when the job may run next; while running, when its lease expires. */
  runAt: number;
  /** Runs started, including deferred ones (rate limited, interrupted by a shutdown). */
  attempts: number;
  /** Failed runs; the job goes dead when this reaches maxAttempts. */
  failures: number;
  maxAttempts: number;
  dedupeKey: string | null;
  coalesceKey: string | null;
  /** Enqueues merged into this job while it waited. */
  coalesced: number;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** Identifies one run of a job: a row claimed again after its lease expired is another run. */
export type JobRun = Pick<JobRecord, 'id' | 'lockedBy' | 'attempts'>;

export interface EnqueueInput<P = unknown> {
  queue: string;
  clientKey: string;
  payload: P;
  /** Epoch ms: not before this time (a coalescing window, a delay, a rate limit's reset). */
  runAt: number;
  maxAttempts: number;
  /**
   * Unique per site for as long as the row is kept: a second enqueue with the same key is a
   * duplicate and changes nothing (e.g. a webhook delivery identifier).
   */
  dedupeKey?: string;
  /**
   * At most one waiting job per (queue, site, key): a later enqueue merges into it (its payload
   * replaces the waiting one's, its runAt only moves the job earlier, and never earlier for a
   * job that already ran and waits for a retry). A running job does not absorb new enqueues.
   */
  coalesceKey?: string;
}

export type EnqueueOutcome = 'created' | 'coalesced' | 'duplicate';

export interface ClaimOptions {
  workerId: string;
  now: number;
  limit: number;
  /** The claimed jobs' lease ends at now + leaseMs. */
  leaseMs: number;
  /** Only these queues (default: all). */
  queues?: readonly string[];
}

export interface QueueStats {
  /** Waiting jobs (due or not). */
  pending: number;
  /** Waiting jobs whose time has come. */
  due: number;
  running: number;
  dead: number;
  /** Age of the oldest waiting job (ms since it was enqueued), null when none waits. */
  oldestPendingAgeMs: number | null;
  /** How late the most overdue waiting job is (ms past its runAt), null when none is due. */
  dueLagMs: number | null;
}

/** Storage for the queue. Every change to a running job is fenced by its run (JobRun). */
export interface JobStore {
  /**
   * `sql`: run it on this client instead, e.g. inside the transaction that makes the change the
   * job is about (then the job exists exactly when the change does).
   */
  enqueue<P>(input: EnqueueInput<P>, now: number, sql?: SqlClient): Promise<{ id: string | null; outcome: EnqueueOutcome }>;
  /** Atomically takes due jobs (and running jobs whose lease expired) for one worker. */
  claim(opts: ClaimOptions): Promise<JobRecord[]>;
  /** Extends a running job's lease; false when the run is no longer ours. */
  extend(run: JobRun, until: number, now: number): Promise<boolean>;
  complete(run: JobRun, now: number): Promise<boolean>;
  /** Back to waiting until `runAt`; `failed` counts it as a failure. */
  retry(run: JobRun, opts: { runAt: number; error: string; failed: boolean }, now: number): Promise<boolean>;
  /** Gives up: the job is kept as `dead` for inspection. */
  bury(run: JobRun, opts: { error: string; failed: boolean }, now: number): Promise<boolean>;
  /**
   * Jobs of one (queue, site, coalesceKey) that are not finished (waiting or running), oldest
   * first: e.g. whether an issue's property write still waits, and why (`lastError`).
   */
  unfinished(where: { queue: string; clientKey: string; coalesceKey: string }): Promise<JobRecord[]>;
  /** Deletes waiting jobs (e.g. writes for an issue that was deleted). Returns how many. */
  cancel(where: { clientKey: string; queue?: string; coalesceKey?: string }): Promise<number>;
  /**
   * Running jobs back to waiting, due at `now` (one process owns an embedded database, so at
   * its start nothing can still be running). Counted as a failure: the run may have crashed it.
   */
  releaseRunning(now: number, workerId?: string): Promise<number>;
  stats(now: number): Promise<QueueStats>;
  /** Deletes finished jobs older than the given times, at most `limit` per call. */
  prune(opts: { doneBefore: number; deadBefore: number; limit: number }): Promise<number>;
}

/** What the SQL store needs of a database client (lib/db/open's runner, a pg Pool, PGlite). */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}
