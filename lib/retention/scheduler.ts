import 'server-only';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { db } from '@/lib/db';
import { runScheduledReport } from '@/lib/gdpr/jobs';
import { purgeExpiredTenants } from './purge';

/**
 * In-app schedules for the data lifecycle jobs: the retention purge (PURGE_INTERVAL_MINUTES) and
 * personal data reporting (GDPR_REPORT_INTERVAL_HOURS); 0 disables either. Timers are unref'd so
 * they never keep a stopping server alive. Every instance runs them; the JobRun lease lets one
 * do the work. With the embedded database this schedule is the only way the purge runs while
 * the app is up (`npm run purge` cannot open a database another process owns).
 */

type Job = () => Promise<unknown>;

const g = globalThis as unknown as { __dataJobs?: { timers: NodeJS.Timeout[] } };
/** First run shortly after start (not during it), spread a little between instances. */
const FIRST_RUN_DELAY_MS = 20_000;

function every(name: string, intervalMs: number, job: Job): NodeJS.Timeout[] {
  if (intervalMs <= 0) {
    log().info({ job: name }, 'scheduled job disabled (interval 0)');
    return [];
  }
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    job()
      .catch((err: unknown) => log().error({ job: name, err: (err as Error).message }, 'scheduled job failed'))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(run, Math.min(intervalMs, FIRST_RUN_DELAY_MS + Math.floor(Math.random() * 10_000)));
  const repeat = setInterval(run, intervalMs);
  first.unref();
  repeat.unref();
  return [first, repeat];
}

export async function runScheduledPurge(now = new Date()) {
  return purgeExpiredTenants({ prisma: await db(), now, retentionDays: env().RETENTION_DAYS, log: log() });
}

/** Starts the data lifecycle schedules once per process (called from lib/app/startup.ts). */
export function startDataLifecycleJobs(): void {
  if (g.__dataJobs) return;
  const e = env();
  const timers = [
    ...every('retention-purge', e.PURGE_INTERVAL_MINUTES * 60_000, () => runScheduledPurge()),
    ...every('gdpr-report', e.GDPR_REPORT_INTERVAL_HOURS * 3_600_000, () => runScheduledReport()),
  ];
  g.__dataJobs = { timers };
}

/** Tests and shutdown: stops the schedules. */
export function stopDataLifecycleJobs(): void {
  for (const t of g.__dataJobs?.timers ?? []) clearTimeout(t);
  g.__dataJobs = undefined;
}
