import 'server-only';
import type { Connect, JobRecord } from 'atlassian-connect-next';
import { createForge, type Forge } from 'atlassian-connect-next/forge';
import { devSingleton } from 'atlassian-connect-next/next';
import { PrismaForgeInstallations } from 'atlassian-connect-next/prisma';
import { openAppDatabase, type Database } from '@/lib/db';
import { readEnv, type Env } from '@/lib/env';
import { createLogger, type Logger } from '@/lib/log';
import { CHECKLIST_CHANGED, ChecklistReadCache } from '@/lib/checklists/read-cache';
import { createChecklistRepository, type ChecklistRepository } from '@/lib/checklists/repository';
import { createChecklistService, type ChecklistService } from '@/lib/checklists/service';
import { createSyncState } from '@/lib/checklists/sync-state';
import { personalDataReportJob } from '@/lib/gdpr/jobs';
import { createPreferencesRepository, type PreferencesRepository } from '@/lib/preferences/repository';
import { createDataLifecycleJobs, type DataLifecycleJobs } from '@/lib/retention/scheduler';
import { createSettingsRepository } from '@/lib/settings/repository';
import { createSettingsService, type SettingsService } from '@/lib/settings/service';
import { createAppConnect, pruneRateLimitRows } from './app-connect';
import { createHealth, type Health } from './health';
import { createAppJobs, ISSUE_PROPERTY_QUEUE, type AppJobs } from './jobs';
import { createMetrics, type AppMetrics } from './metrics';
import { createShellRenderer, type ShellRenderer } from './pages/shell';

/**
 * The composition root: builds the app's services once, in order — config → log → database →
 * Connect (with its product client and reads) → Forge → the features — and hands each what it
 * needs. Nothing else builds a service or reads configuration.
 *
 * Only route handlers may import this module. Next bundles route handlers, server-component
 * pages and instrumentation.ts as separate module graphs (measured: three different instances
 * of one module in a production build), so a page importing it would build a second root.
 * eslint.config.mjs forbids that import outside app/ route files and lib/app.
 */
export interface App {
  env: Env;
  log: Logger;
  db: Database;
  connect: Connect;
  /** Present when FORGE_APP_ID is set ("Connect on Forge"). */
  forge: Forge | null;
  settings: SettingsService;
  checklists: ChecklistService;
  checklistRepo: ChecklistRepository;
  preferences: PreferencesRepository;
  jobs: DataLifecycleJobs;
  /**
   * Stops the background work at a safe point (the job worker waits up to `graceMs` for running
   * jobs; one cut short runs again once its lease ends), then closes the database (the embedded
   * one releases its lock). For the app server's SIGTERM, after the HTTP server has drained.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** The job queue: webhook deliveries and issue property writes (lib/app/jobs.ts). */
  background: AppJobs;
  renderShell: ShellRenderer;
  /** `/health`, `/health/ready`; `stopping()` fails readiness from SIGTERM on. */
  health: Health;
  /** Prometheus metrics (`/metrics`). */
  metrics: AppMetrics;
}

async function build(): Promise<App> {
  const env = readEnv();
  const log = createLogger(env.LOG_LEVEL);
  if (env.APP_ENV !== 'production' && env.APP_BASE_URL.startsWith('http://')) {
    log.warn({ baseUrl: env.APP_BASE_URL }, 'development mode: serving over plain http (Atlassian Cloud requires https)');
  }
  const metrics = createMetrics();
  const db = await openAppDatabase(env, log, metrics.dbQuery);
  const prisma = db.prisma;
  const connect = createAppConnect(env, log, db, metrics.product);
  const forge = env.FORGE_APP_ID
    ? createForge(connect, {
        appId: env.FORGE_APP_ID,
        environment: env.FORGE_ENVIRONMENT,
        jwksUrl: env.FORGE_JWKS_URL,
        jwksCooldownMs: env.FORGE_JWKS_COOLDOWN_SECONDS * 1000,
        installations: new PrismaForgeInstallations(prisma),
      })
    : null;

  const settings = createSettingsService(createSettingsRepository(prisma, log), connect.onTenantChange);
  // Panel reads from memory; the database announces every change to every instance.
  const checklistCache = new ChecklistReadCache();
  await db.listen(CHECKLIST_CHANGED, { notify: (p) => checklistCache.announced(p), state: (up) => checklistCache.listening(up) });
  const checklistRepo = createChecklistRepository(prisma, checklistCache);
  const background = createAppJobs({ env, log, db, connect, checklists: checklistRepo, onRateLimitDeferral: metrics.rateLimitDeferral });
  // What the panel is told about Jira's copy: the app's own records only (the job queue and the
  // shared rate-limit pauses), never a product call.
  // The issue's unfinished writes come from the read cache too: the job table announces their changes.
  const syncState = createSyncState({
    unfinishedWrites: (clientKey, issueId) => checklistCache.read(clientKey, issueId, 'writes', () => background.unfinishedPropertyWrites(clientKey, issueId)),
    sitePause: (clientKey) => connect.product.rateLimitPause(clientKey),
  });
  const writesChanged = (clientKey: string, issueId: string) => checklistCache.changed(clientKey, issueId, ['writes']);
  const progressChanged = async (clientKey: string, issueId: string) => {
    await background.scheduleIssueProperty(clientKey, issueId);
    writesChanged(clientKey, issueId);
  };
  // A property write run here (written, deferred, given up): seen at once here, before its announcement arrives.
  const propertyWriteRan = ({ job }: { job: JobRecord }) => {
    if (job.queue === ISSUE_PROPERTY_QUEUE && job.clientKey && job.coalesceKey) writesChanged(job.clientKey, job.coalesceKey);
  };
  background.queue.on('completed', propertyWriteRan);
  background.queue.on('retrying', propertyWriteRan);
  background.queue.on('dead', propertyWriteRan);
  const checklists = createChecklistService({ repo: checklistRepo, settings, reads: connect.reads, progressChanged, syncState });
  const jobs = createDataLifecycleJobs({
    prisma,
    log,
    retentionDays: env.RETENTION_DAYS,
    purgeIntervalMinutes: env.PURGE_INTERVAL_MINUTES,
    reportIntervalHours: env.GDPR_REPORT_INTERVAL_HOURS,
    report: personalDataReportJob({ prisma, connect, log }),
    housekeeping: (now) => pruneRateLimitRows(db, now),
  });
  background.queue.on('completed', ({ job }) => metrics.job(job.queue, 'completed'));
  background.queue.on('retrying', ({ job }) => metrics.job(job.queue, 'retrying'));
  background.queue.on('dead', ({ job }) => metrics.job(job.queue, 'dead'));
  background.queue.on('lost', ({ job }) => metrics.job(job.queue, 'lost'));
  metrics.collectFrom({
    circuits: () => {
      const [a, b] = [connect.product.circuitCounts(), background.product.circuitCounts()];
      return { open: a.open + b.open, half_open: a.half_open + b.half_open };
    },
    pool: () => db.poolStats(),
    queue: () => background.queue.stats(),
  });
  jobs.start();
  await background.start();
  stopOnShutdown(log, () => background.stop(SHUTDOWN_GRACE_MS));
  log.info({ baseUrl: env.APP_BASE_URL, env: env.APP_ENV, embedded: env.embedded }, 'app ready');
  return {
    env,
    log,
    db,
    connect,
    forge,
    settings,
    checklists,
    checklistRepo,
    preferences: createPreferencesRepository(prisma),
    jobs,
    background,
    shutdown: async (graceMs = SHUTDOWN_GRACE_MS) => {
      jobs.stop();
      await background.stop(graceMs).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'job worker did not stop cleanly'));
      await db.close();
      log.info('app stopped');
    },
    health: createHealth({ db, timeoutMs: env.HEALTH_TIMEOUT_MS, log }),
    metrics,
    renderShell: createShellRenderer({ apJsUrl: env.AP_JS_URL, localOrigin: `http://127.0.0.1:${env.PORT}`, cache: env.NODE_ENV === 'production' }),
  };
}

/** Running jobs get this long to finish at shutdown; a job cut short runs again once its lease ends. */
const SHUTDOWN_GRACE_MS = 4_000;

/**
 * On SIGTERM/SIGINT the worker stops claiming and waits for its running jobs while Next drains
 * its requests (Next exits once those are done, so this is best effort; leases cover the rest).
 */
function stopOnShutdown(log: Logger, stop: () => Promise<void>): void {
  const once = () => {
    stop().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'job worker did not stop cleanly'));
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Only beside the server's own handler: a lone listener would stop the signal ending the process.
    if (process.listenerCount(signal) > 0) process.once(signal, once);
  }
}

// In `next dev` the holder survives module reloads (the one global); in production it is module state.
const root = devSingleton('__connectChecklistsApp', () => ({ current: undefined as Promise<App> | undefined }));

/**
 * The app's services, built on first use. A failed build (database down at start) is retried by
 * the next caller. Under the app server (server/main.ts), only the server's own module graph
 * may build it (`owner`): a Next route handler reaching here would be a second root in one process.
 */
export function app(opts: { owner?: boolean } = {}): Promise<App> {
  const holder = root();
  if (!holder.current && process.env.CONNECT_APP_SERVER === '1' && !opts.owner) {
    return Promise.reject(new Error('this route is served by the app server (server/main.ts), not by Next: add it to routeTable in lib/app/routes.ts'));
  }
  holder.current ??= build().catch((err: unknown) => {
    holder.current = undefined;
    throw err;
  });
  return holder.current;
}
