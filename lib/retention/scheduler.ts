import 'server-only';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Logger } from '@/lib/log';
import { purgeExpiredTenants } from './purge';

/**
 * In-app schedules for the data lifecycle jobs: the retention purge (PURGE_INTERVAL_MINUTES) and
 * personal data reporting (GDPR_REPORT_INTERVAL_HOURS); 0 disables either. Timers are unref'd so
 * they never keep a stopping server alive. Every instance runs them; the JobRun lease lets one
 * do the work. With the embedded database this schedule is the only way the purge runs while
 * the app is up (`npm run purge` cannot open a database another process owns).
 */

type Job = () => Promise<unknown>;

/** First run shortly after start (not during it), spread a little between instances. */
const FIRST_RUN_DELAY_MS = 20_000;

export interface DataLifecycleOptions {
  prisma: PrismaClient;
  log: Logger;
  retentionDays: number;
  purgeIntervalMinutes: number;
  reportIntervalHours: number;
  report: (now?: Date) => Promise<unknown>;
  /** Run with each purge: the framework's own housekeeping (expired rate-limit rows). */
  housekeeping?: (now: Date) => Promise<unknown>;
}

export type DataLifecycleJobs = ReturnType<typeof createDataLifecycleJobs>;

export function createDataLifecycleJobs(o: DataLifecycleOptions) {
  let timers: ReturnType<typeof setTimeout>[] = [];

  function every(name: string, intervalMs: number, job: Job): ReturnType<typeof setTimeout>[] {
    if (intervalMs <= 0) {
      o.log.info({ job: name }, 'scheduled job disabled (interval 0)');
      return [];
    }
    let running = false;
    const run = () => {
      if (running) return;
      running = true;
      job()
        .catch((err: unknown) => o.log.error({ job: name, err: (err as Error).message }, 'scheduled job failed'))
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

  const purge = async (now = new Date()) => {
    const result = await purgeExpiredTenants({ prisma: o.prisma, now, retentionDays: o.retentionDays, log: o.log });
    await o.housekeeping?.(now).catch((err: unknown) => o.log.warn({ err: (err as Error).message }, 'housekeeping failed'));
    return result;
  };

  return {
    purge,
    report: o.report,
    /** Starts both schedules (once). */
    start(): void {
      if (timers.length) return;
      timers = [...every('retention-purge', o.purgeIntervalMinutes * 60_000, () => purge()), ...every('gdpr-report', o.reportIntervalHours * 3_600_000, () => o.report())];
    },
    stop(): void {
      for (const t of timers) clearTimeout(t);
      timers = [];
    },
  };
}
