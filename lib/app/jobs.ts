import 'server-only';
import { hostname } from 'node:os';
import { JobQueue } from '@/lib/connect/jobs/queue';
import { SqlJobStore } from '@/lib/connect/jobs/sql-store';
import { createProductClient } from '@/lib/connect/product';
import { createWebhookReceiver, defineWebhookJobs } from '@/lib/connect/webhooks/receiver';
import { database } from '@/lib/db';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { onIssueDeleted, onIssueMoved, writeChecklistProperty } from '@/lib/checklists/issue-events';
import { checklistPropertyKey } from '@/lib/checklists/issue-property';
import { CHECKLIST_WEBHOOKS, type IssueDeleted, type IssueMoved } from '@/lib/checklists/webhooks';
import { runtime, withWebhookAuth } from './connect';
import { productClientOptions } from './product';

/**
 * The reference app's background work, on lib/connect/jobs: webhook deliveries (recorded by the
 * route, handled here) and issue property writes (scheduled by checklist edits, coalesced per
 * issue). One queue per process; every instance with JOB_WORKER runs a worker on the shared
 * table. Started from lib/app/startup.ts.
 */

export const ISSUE_PROPERTY_QUEUE = 'issue-property';

interface AppJobs {
  queue: JobQueue;
}

// One per process, shared by the instrumentation hook and the route modules (next dev reloads).
const g = globalThis as unknown as { __appJobs?: Promise<AppJobs> };

async function build(): Promise<AppJobs> {
  const e = env();
  const db = await database();
  const queue = new JobQueue({
    store: new SqlJobStore(db.runner),
    workerId: `${hostname()}-${process.pid}`,
    // One database engine in this process serves requests and jobs: keep requests' queries from waiting behind several jobs.
    concurrency: e.JOB_CONCURRENCY ?? (e.embedded ? 1 : 4),
    pollIntervalMs: e.JOB_POLL_INTERVAL_MS,
    log: log(),
  });
  // A client of its own: background writes never queue behind page reads. The queue retries
  // (with Retry-After), so the client does not; a site that keeps failing is probed every 5 s.
  const product = createProductClient({
    ...productClientOptions(async (clientKey) => (await runtime().tenants.get(clientKey))?.tenant ?? null),
    retry: { maxRetries: 0 },
    breaker: { failureThreshold: e.PRODUCT_API_BREAKER_FAILURES, halfOpenAfterMs: Math.min(5_000, e.PRODUCT_API_BREAKER_OPEN_MS) },
  });
  const propertyKey = checklistPropertyKey(e.APP_KEY);
  const backoff = { maxMs: e.JOB_RETRY_MAX_DELAY_MS };

  queue.define<{ issueId: string }>({
    name: ISSUE_PROPERTY_QUEUE,
    // With the default backoff capped at 10 min, 16 failures span about two hours of outage.
    maxAttempts: 16,
    backoff,
    handler: async ({ issueId }, ctx) => {
      const outcome = await writeChecklistProperty(product.asApp(ctx.clientKey), issueId, propertyKey, ctx);
      if (outcome === 'issue-gone') log().info({ clientKey: ctx.clientKey, issueId }, 'issue property not written: the issue is gone');
    },
  });
  defineWebhookJobs(queue, {
    subscriptions: CHECKLIST_WEBHOOKS,
    handlers: {
      'issue-deleted': (data: IssueDeleted, ctx) =>
        onIssueDeleted(data, ctx, { log: log(), cancelPropertyWrite: (clientKey, issueId) => queue.store.cancel({ clientKey, queue: ISSUE_PROPERTY_QUEUE, coalesceKey: issueId }) }),
      'issue-updated': (data: IssueMoved, ctx) => onIssueMoved(data, ctx, { log: log() }),
    },
  });
  queue.on('retrying', ({ job, error, runAt, deferred }) =>
    log().warn({ queue: job.queue, job: job.id, clientKey: job.clientKey, failures: job.failures, error, retryAt: new Date(runAt).toISOString(), deferred }, 'job will be retried'),
  );
  queue.on('dead', ({ job, error }) => log().error({ queue: job.queue, job: job.id, clientKey: job.clientKey, failures: job.failures, error }, 'job gave up'));
  queue.on('lost', ({ job }) => log().warn({ queue: job.queue, job: job.id }, 'job run lost its lease; its outcome was dropped'));
  return { queue };
}

export function appJobs(): Promise<AppJobs> {
  g.__appJobs ??= build();
  return g.__appJobs;
}

/** Starts this instance's worker (JOB_WORKER). With the embedded database this process is the only one, so runs interrupted by a crash are released at once. */
export async function startJobs(): Promise<void> {
  const e = env();
  if (!e.JOB_WORKER) {
    log().info({}, 'job worker off (JOB_WORKER=false): jobs are recorded here and run elsewhere');
    return;
  }
  const { queue } = await appJobs();
  if (e.embedded) {
    const released = await queue.store.releaseRunning(Date.now());
    if (released) log().warn({ released }, 'jobs interrupted by the last stop will run again');
  }
  queue.start();
}

/** Stops the worker after its running jobs (shutdown). */
export async function stopJobs(timeoutMs?: number): Promise<void> {
  if (g.__appJobs) await (await g.__appJobs).queue.stop({ timeoutMs });
}

/**
 * After a checklist change: write the issue's property soon (ISSUE_PROPERTY_DELAY_MS later, so
 * a burst of edits is one write). Never fails the edit: it is saved, and the next edit or
 * `npm run backfill:properties` brings the property up to date.
 */
export async function scheduleIssueProperty(clientKey: string, issueId: string): Promise<void> {
  try {
    const { queue } = await appJobs();
    await queue.enqueue(ISSUE_PROPERTY_QUEUE, { clientKey, payload: { issueId }, coalesceKey: issueId, delayMs: env().ISSUE_PROPERTY_DELAY_MS });
  } catch (err) {
    log().error({ clientKey, issueId, err: (err as Error).message }, 'could not schedule the issue property write');
  }
}

// Per module instance, not global: Next may load lib/connect once per route bundle, and the
// wrappers map only their own ConnectError class to 4xx (a foreign one would be a 500).
let receiver: ReturnType<typeof createWebhookReceiver> | undefined;

/** POST /webhooks/{name}: withWebhookAuth, then recorded as a job and acknowledged (204). */
export const receiveWebhook = withWebhookAuth(async (req, ctx, route) => {
  receiver ??= createWebhookReceiver({ subscriptions: CHECKLIST_WEBHOOKS, queue: (await appJobs()).queue, log: log() });
  return receiver.receive(req, ctx, route);
});
