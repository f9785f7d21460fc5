import 'server-only';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';

/**
 * One runner at a time per job, across every app instance and the CLI, through the database.
 *
 * A run is a JobRun row with `finishedAt` null. Claiming one is a short transaction that holds
 * `pg_try_advisory_xact_lock` (PostgreSQL and PGlite both have it) so two claimers cannot both
 * see "nobody running" and both insert. No connection is held for the length of the run (PGlite
 * has only one); a runner that crashed is recognised by its stale heartbeat and taken over.
 */

// Advisory lock namespace for job claims (second key: hashtext(job)).
const LOCK_NAMESPACE = 727_006;
/** A running row whose heartbeat is older than this is treated as abandoned. */
export const DEFAULT_STALE_AFTER_MS = 15 * 60_000;

export interface JobLease {
  id: bigint;
  job: string;
  /** Records progress so other runners know this one is alive. */
  heartbeat(now: Date, progress?: Record<string, unknown>): Promise<void>;
  finish(now: Date, outcome: string, detail?: Record<string, unknown>): Promise<void>;
}

interface RunningDetail {
  heartbeatAt?: string;
}

function heartbeatOf(row: { startedAt: Date; detail: Prisma.JsonValue | null }): number {
  const d = (row.detail ?? {}) as RunningDetail;
  const t = d.heartbeatAt ? Date.parse(d.heartbeatAt) : NaN;
  return Number.isFinite(t) ? t : row.startedAt.getTime();
}

/**
 * Claims `job` or returns null when another runner holds it (or is claiming it this instant).
 * `now` is the caller's clock, so tests can move time.
 */
export async function acquireJobLease(
  prisma: PrismaClient,
  job: string,
  now: Date,
  opts: { staleAfterMs?: number } = {},
): Promise<JobLease | null> {
  const staleAfter = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const id = await prisma.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${job})) AS locked`;
    if (!lock?.locked) return null;
    const running = await tx.jobRun.findMany({ where: { job, finishedAt: null }, select: { id: true, startedAt: true, detail: true } });
    for (const row of running) {
      if (now.getTime() - heartbeatOf(row) < staleAfter) return null;
    }
    if (running.length) {
      await tx.jobRun.updateMany({
        where: { id: { in: running.map((r) => r.id) }, finishedAt: null },
        data: { finishedAt: now, outcome: 'abandoned' },
      });
    }
    const row = await tx.jobRun.create({
      data: { job, startedAt: now, detail: { heartbeatAt: now.toISOString() } },
      select: { id: true },
    });
    return row.id;
  });
  if (id === null) return null;
  let progress: Record<string, unknown> = {};
  return {
    id,
    job,
    async heartbeat(at, p) {
      if (p) progress = { ...progress, ...p };
      await prisma.jobRun.updateMany({
        where: { id, finishedAt: null },
        data: { detail: { ...progress, heartbeatAt: at.toISOString() } as Prisma.InputJsonObject },
      });
    },
    async finish(at, outcome, detail) {
      await prisma.jobRun.updateMany({
        where: { id },
        data: { finishedAt: at, outcome: outcome.slice(0, 64), detail: (detail ?? progress) as Prisma.InputJsonObject },
      });
    },
  };
}
