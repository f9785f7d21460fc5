import 'server-only';
import { type ConnectLogger } from 'atlassian-connect-next';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { acquireJobLease } from './job-lease';
import { countTenantData, deleteTenantRecords, tenantRef, type TenantCounts } from './site-data';

/**
 * Retention: a site's data is kept for `retentionDays` after `uninstalled`, then removed from
 * every table. A reinstall inside the window clears `uninstalledAt` (the tenant store's upsert)
 * and so takes the site out of the purge. Each site is purged in its own transaction, so a
 * crash leaves every site either fully there or fully gone, and the next run carries on.
 *
 * A site that kept calling after `uninstalled` is never purged: `lastSeenAt` is touched by
 * authenticated requests (Connect and Forge), and an adopted Connect-on-Forge app may not send a
 * fresh `installed`. Such sites are counted and logged, never deleted.
 */

export const PURGE_JOB = 'retention-purge';
/** lastSeenAt may trail uninstalledAt by this much (the touch is asynchronous and throttled). */
export const LAST_SEEN_SLACK_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
/** JobRun rows older than this are pruned by the purge (the table is a log, not an archive). */
export const JOB_RUN_HISTORY_DAYS = 90;
/** Lifecycle audit rows older than this are pruned too (the security statement says so). */
export const LIFECYCLE_AUDIT_DAYS = 90;

export interface PurgeOptions {
  prisma: PrismaClient;
  now: Date;
  retentionDays: number;
  dryRun?: boolean;
  log: ConnectLogger;
  /** Sites handled per run; the rest wait for the next run. */
  limit?: number;
  slackMs?: number;
  /** Tests: runs inside each site's transaction after its rows are deleted (throw to simulate a crash). */
  beforeCommit?: (clientKey: string) => void | Promise<void>;
}

export interface PurgeCandidate {
  clientKey: string;
  uninstalledAt: Date;
  lastSeenAt: Date | null;
  counts: TenantCounts;
}

export interface PurgeResult {
  outcome: 'done' | 'busy' | 'dry-run' | 'failed';
  cutoff: Date;
  /** Sites purged (or, in a dry run, that would be). */
  purged: { tenant: string; counts: Partial<TenantCounts> }[];
  /** Dry run only: the sites that would go, with row counts. */
  candidates: PurgeCandidate[];
  /** Past retention but still calling: kept. */
  stillCalling: number;
  failed: number;
}

function stillCalling(t: { uninstalledAt: Date; lastSeenAt: Date | null }, slackMs: number): boolean {
  return !!t.lastSeenAt && t.lastSeenAt.getTime() > t.uninstalledAt.getTime() + slackMs;
}

async function findExpired(prisma: PrismaClient, cutoff: Date, limit: number) {
  const rows = await prisma.tenant.findMany({
    where: { uninstalledAt: { not: null, lte: cutoff } },
    select: { clientKey: true, uninstalledAt: true, lastSeenAt: true },
    orderBy: { uninstalledAt: 'asc' },
    take: limit,
  });
  return rows.map((r) => ({ clientKey: r.clientKey, uninstalledAt: r.uninstalledAt!, lastSeenAt: r.lastSeenAt }));
}

/**
 * Deletes one site if it is (still) past retention and not calling: the condition is checked
 * again on the row inside the transaction (uninstalledAt unchanged since it was read), so a
 * reinstall that committed meanwhile wins, and a second purger finds nothing to delete.
 */
async function purgeOne(opts: PurgeOptions, t: { clientKey: string; uninstalledAt: Date }, slackMs: number): Promise<Partial<TenantCounts> | null> {
  return opts.prisma.$transaction(async (tx) => {
    // Typed filters rather than raw SQL: Prisma binds dates the same way it wrote them.
    const gone = await tx.tenant.deleteMany({
      where: {
        clientKey: t.clientKey,
        uninstalledAt: t.uninstalledAt,
        OR: [{ lastSeenAt: null }, { lastSeenAt: { lte: new Date(t.uninstalledAt.getTime() + slackMs) } }],
      },
    });
    if (gone.count === 0) return null;
    const counts = await deleteTenantRecords(tx, t.clientKey);
    await opts.beforeCommit?.(t.clientKey);
    return { tenant: gone.count, ...counts };
  });
}

/** One purge run. Idempotent; returns `busy` without touching anything if another run holds the job. */
export async function purgeExpiredTenants(opts: PurgeOptions): Promise<PurgeResult> {
  const { prisma, now, log } = opts;
  const slackMs = opts.slackMs ?? LAST_SEEN_SLACK_MS;
  const cutoff = new Date(now.getTime() - opts.retentionDays * DAY_MS);
  const limit = opts.limit ?? 500;
  const result: PurgeResult = { outcome: 'done', cutoff, purged: [], candidates: [], stillCalling: 0, failed: 0 };

  if (opts.dryRun) {
    result.outcome = 'dry-run';
    for (const t of await findExpired(prisma, cutoff, limit)) {
      if (stillCalling(t, slackMs)) {
        result.stillCalling++;
        continue;
      }
      const counts = await countTenantData(prisma, t.clientKey);
      result.candidates.push({ ...t, counts });
      result.purged.push({ tenant: tenantRef(t.clientKey), counts });
    }
    log.info({ job: PURGE_JOB, dryRun: true, cutoff, wouldPurge: result.candidates.length, stillCalling: result.stillCalling }, 'retention: dry run');
    return result;
  }

  const lease = await acquireJobLease(prisma, PURGE_JOB, now);
  if (!lease) {
    log.info({ job: PURGE_JOB }, 'retention: another purge is running; skipped');
    return { ...result, outcome: 'busy' };
  }
  try {
    for (const t of await findExpired(prisma, cutoff, limit)) {
      const tenant = tenantRef(t.clientKey);
      if (stillCalling(t, slackMs)) {
        result.stillCalling++;
        log.warn({ job: PURGE_JOB, tenant, uninstalledAt: t.uninstalledAt, lastSeenAt: t.lastSeenAt }, 'retention: past retention but still calling; kept');
        continue;
      }
      try {
        const counts = await purgeOne(opts, t, slackMs);
        if (counts) {
          result.purged.push({ tenant, counts });
          log.info({ job: PURGE_JOB, tenant, uninstalledAt: t.uninstalledAt, counts }, 'retention: site data purged');
        }
      } catch (err) {
        result.failed++;
        log.error({ job: PURGE_JOB, tenant, err: (err as Error).message }, 'retention: purge of one site failed; it is unchanged');
      }
      await lease.heartbeat(now, { purged: result.purged.length, failed: result.failed });
    }
    const pruned = await prisma.jobRun.deleteMany({
      where: { startedAt: { lt: new Date(now.getTime() - JOB_RUN_HISTORY_DAYS * DAY_MS) }, finishedAt: { not: null } },
    });
    const prunedAudit = await prisma.lifecycleEvent.deleteMany({ where: { at: { lt: new Date(now.getTime() - LIFECYCLE_AUDIT_DAYS * DAY_MS) } } });
    result.outcome = result.failed ? 'failed' : 'done';
    const detail = { cutoff: cutoff.toISOString(), purged: result.purged.length, stillCalling: result.stillCalling, failed: result.failed, prunedJobRuns: pruned.count, prunedAudit: prunedAudit.count };
    await lease.finish(now, result.outcome, detail);
    log.info({ job: PURGE_JOB, ...detail }, 'retention: purge finished');
    return result;
  } catch (err) {
    await lease.finish(now, 'failed', { error: (err as Error).message.slice(0, 200) }).catch(() => undefined);
    throw err;
  }
}
