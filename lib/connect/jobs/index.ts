/**
 * The job queue (exported from `atlassian-connect-next`): a durable job queue on the app's database (PostgreSQL or PGlite) for work
 * that must happen after a request was answered: webhook deliveries, writes to the product.
 *
 * ```ts
 * const queue = new JobQueue({ store: new SqlJobStore(db.runner), log });
 * queue.define({ name: 'issue-property', handler: async (payload, ctx) => { ... } });
 * queue.start();
 * await queue.enqueue('issue-property', { clientKey, payload: { issueId }, coalesceKey: issueId, delayMs: 2000 });
 * await queue.stop(); // on shutdown: waits for running jobs
 * ```
 */
export { JobQueue, type JobContext, type JobQueueOptions, type QueueDefinition, type QueueEvents, type QueueLogger, type EnqueueOptions } from './queue';
export { SqlJobStore } from './sql-store';
export { RetryLaterError, RateLimitDeferral, deferredByRateLimit, PermanentJobError, describeJobError } from './errors';
export { jobErrorForProductFailure } from './product-failures';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export type { JobRecord, JobRun, JobStatus, JobStore, EnqueueInput, EnqueueOutcome, QueueStats, SqlClient, ClaimOptions } from './types';
export { JOBS_TABLE_SQL } from './schema';
