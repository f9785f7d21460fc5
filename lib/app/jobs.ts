import 'server-only';
import { hostname } from 'node:os';
import { createWebhookReceiver, defineWebhookJobs, JobQueue, SqlJobStore, type Connect, type ConnectHandler } from 'atlassian-connect-next';
import type { Database } from '@/lib/db';
import type { Env } from '@/lib/env';
import type { Logger } from '@/lib/log';
import { onIssueDeleted, onIssueMoved, writeChecklistProperty } from '@/lib/checklists/issue-events';
import { checklistPropertyKey } from '@/lib/checklists/issue-property';
import type { ChecklistRepository } from '@/lib/checklists/repository';
import { CHECKLIST_WEBHOOKS, type IssueDeleted, type IssueMoved } from '@/lib/checklists/webhooks';

/**
 * The reference app's background work, on the framework's job queue: webhook deliveries
 * (recorded by the route, handled here) and issue property writes (scheduled by checklist
 * edits, coalesced per issue). Built and started by the composition root; every instance with
 * JOB_WORKER runs a worker on the shared table.
 */

export const ISSUE_PROPERTY_QUEUE = 'issue-property';

export interface AppJobsDeps {
  env: Env;
  log: Logger;
  db: Database;
  connect: Connect;
  checklists: ChecklistRepository;
  /** Counts property writes deferred by a product rate limit (metrics). */
  onRateLimitDeferral?: (queue: string, limit: string) => void;
}

export type AppJobs = ReturnType<typeof createAppJobs>;

export function createAppJobs(d: AppJobsDeps) {
  const { env: e, log } = d;
  const queue = new JobQueue({
    store: new SqlJobStore(d.db.runner),
    workerId: `${hostname()}-${process.pid}`,
    // One database engine in this process serves requests and jobs: keep requests' queries from waiting behind several jobs.
    concurrency: e.JOB_CONCURRENCY ?? (e.embedded ? 1 : 4),
    pollIntervalMs: e.JOB_POLL_INTERVAL_MS,
    log,
  });
  // A client of its own: background writes never queue behind page reads. The queue retries
  // (with Retry-After), so the client does not; a site that keeps failing is probed every 5 s.
  const product = d.connect.productClient({
    retry: { maxRetries: 0 },
    breaker: { failureThreshold: e.PRODUCT_API_BREAKER_FAILURES, halfOpenAfterMs: Math.min(5_000, e.PRODUCT_API_BREAKER_OPEN_MS) },
  });
  d.connect.onTenantChange((clientKey) => product.forgetTenant(clientKey));
  const propertyKey = checklistPropertyKey(e.APP_KEY);

  queue.define<{ issueId: string }>({
    name: ISSUE_PROPERTY_QUEUE,
    // With the default backoff capped at 10 min, 16 failures span about two hours of outage.
    maxAttempts: 16,
    backoff: { maxMs: e.JOB_RETRY_MAX_DELAY_MS },
    handler: async ({ issueId }, ctx) => {
      const outcome = await writeChecklistProperty(d.checklists, product.asApp(ctx.clientKey), issueId, propertyKey, ctx, {
        pauseFor: (clientKey, call) => product.rateLimitPause(clientKey, call),
        deferred: ({ clientKey, issueId: issue, limit, retryAt, reason }) => {
          // The edit is saved; its sync waits for Jira's reset (the panel says so).
          log.info({ clientKey, issueId: issue, limit, retryAt: new Date(retryAt).toISOString(), reason }, 'issue property write deferred: Jira is rate limiting; it will be sent after the reset');
          d.onRateLimitDeferral?.(ISSUE_PROPERTY_QUEUE, limit);
        },
      });
      if (outcome === 'issue-gone') log.info({ clientKey: ctx.clientKey, issueId }, 'issue property not written: the issue is gone');
    },
  });
  defineWebhookJobs(queue, {
    subscriptions: CHECKLIST_WEBHOOKS,
    handlers: {
      'issue-deleted': (data: IssueDeleted, ctx) =>
        onIssueDeleted(data, ctx, {
          repo: d.checklists,
          log,
          cancelPropertyWrite: (clientKey, issueId) => queue.store.cancel({ clientKey, queue: ISSUE_PROPERTY_QUEUE, coalesceKey: issueId }),
        }),
      'issue-updated': (data: IssueMoved, ctx) => onIssueMoved(data, ctx, { repo: d.checklists, log }),
    },
  });
  queue.on('retrying', ({ job, error, runAt, deferred }) =>
    log.warn({ queue: job.queue, job: job.id, clientKey: job.clientKey, failures: job.failures, error, retryAt: new Date(runAt).toISOString(), deferred }, 'job will be retried'),
  );
  queue.on('dead', ({ job, error }) => log.error({ queue: job.queue, job: job.id, clientKey: job.clientKey, failures: job.failures, error }, 'job gave up'));
  queue.on('lost', ({ job }) => log.warn({ queue: job.queue, job: job.id }, 'job run lost its lease; its outcome was dropped'));

  const receiver = createWebhookReceiver({ subscriptions: CHECKLIST_WEBHOOKS, queue, log });

  /**
   * After a checklist change: write the issue's property soon (ISSUE_PROPERTY_DELAY_MS later, so
   * a burst of edits is one write). Never fails the edit: it is saved, and the next edit or
   * `npm run backfill:properties` brings the property up to date.
   */
  async function scheduleIssueProperty(clientKey: string, issueId: string): Promise<void> {
    try {
      await queue.enqueue(ISSUE_PROPERTY_QUEUE, { clientKey, payload: { issueId }, coalesceKey: issueId, delayMs: e.ISSUE_PROPERTY_DELAY_MS });
    } catch (err) {
      log.error({ clientKey, issueId, err: (err as Error).message }, 'could not schedule the issue property write');
    }
  }

  /** The issue's property writes still waiting or running (the panel's sync state). */
  const unfinishedPropertyWrites = (clientKey: string, issueId: string) => queue.store.unfinished({ queue: ISSUE_PROPERTY_QUEUE, clientKey, coalesceKey: issueId });

  return {
    queue,
    /** The background product client (metrics read its circuits). */
    product,
    /** POST /webhooks/{name}, behind withWebhookAuth: recorded as a job and acknowledged (204). */
    receiveWebhook: receiver.receive satisfies ConnectHandler,
    scheduleIssueProperty,
    unfinishedPropertyWrites,

    /** Starts this instance's worker (JOB_WORKER). With the embedded database this process is the only one, so runs interrupted by a crash are released at once. */
    async start(): Promise<void> {
      if (!e.JOB_WORKER) {
        log.info({}, 'job worker off (JOB_WORKER=false): jobs are recorded here and run elsewhere');
        return;
      }
      if (e.embedded) {
        const released = await queue.store.releaseRunning(Date.now());
        if (released) log.warn({ released }, 'jobs interrupted by the last stop will run again');
      }
      queue.start();
    },

    /** Stops the worker after its running jobs (shutdown); jobs it did not finish run again once their lease ends. */
    stop: (timeoutMs?: number) => queue.stop({ timeoutMs }),
  };
}
