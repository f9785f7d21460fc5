import 'server-only';
import { isProductApiError, type ConnectLogger } from 'atlassian-connect-next';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { acquireJobLease } from '@/lib/retention/job-lease';
import { tenantRef } from '@/lib/retention/site-data';
import { propertyValue, type ChecklistPropertyValue } from './issue-property';

/**
 * Writes the checklist property of every issue that has a checklist (`npm run backfill:properties`),
 * for checklists made before the app wrote properties. One site after another, one issue at a
 * time at `ratePerSecond`, waiting out `Retry-After`; the cursor (last issue written, per site)
 * is saved as it goes, so a run that was stopped, limited (`limit`) or failed continues where it
 * left off. One backfill at a time across processes (a JobRun lease).
 */

export const BACKFILL_JOB = 'backfill-properties';
const SITE_DONE = '*';
const PAGE = 200;

export interface BackfillOptions {
  dryRun?: boolean;
  /** Only this site (clientKey). */
  site?: string;
  ratePerSecond: number;
  /** Write at most this many properties in this run, then stop (resumable). */
  limit?: number;
  /** Ignore the saved cursor and start over. */
  restart?: boolean;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Aborted (e.g. Ctrl-C): stop after the current write and save the cursor. */
  signal?: AbortSignal;
}

export interface BackfillDeps {
  prisma: PrismaClient;
  /** Writes one issue's property; 'issue-gone' when Jira no longer has the issue. */
  write(clientKey: string, issueId: string, value: ChecklistPropertyValue): Promise<'written' | 'issue-gone'>;
  log: ConnectLogger;
}

export interface SiteReport {
  site: string;
  clientKey: string;
  /** Issues still to write at the start of this run (all of them in a dry run). */
  pending: number;
  written: number;
  gone: number;
  error?: string;
}

export interface BackfillResult {
  outcome: 'done' | 'paused' | 'interrupted' | 'failed' | 'busy' | 'dry-run';
  sites: SiteReport[];
}

type Cursors = Record<string, string>;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function savedCursors(prisma: PrismaClient, excludeId?: bigint): Promise<Cursors> {
  const last = await prisma.jobRun.findFirst({ where: { job: BACKFILL_JOB, finishedAt: { not: null }, ...(excludeId ? { id: { not: excludeId } } : {}) }, orderBy: { id: 'desc' } });
  if (!last || last.outcome === 'done') return {};
  return ((last.detail ?? {}) as { cursors?: Cursors }).cursors ?? {};
}

async function progress(prisma: PrismaClient, clientKey: string, issueId: string): Promise<ChecklistPropertyValue> {
  const [total, done] = await Promise.all([
    prisma.checklistItem.count({ where: { clientKey, issueId } }),
    prisma.checklistItem.count({ where: { clientKey, issueId, checked: true } }),
  ]);
  return propertyValue(total, done);
}

/** Retries one write through rate limits and short outages; throws when the site should be skipped. */
async function writeWithRetries(deps: BackfillDeps, sleep: (ms: number) => Promise<void>, clientKey: string, issueId: string, value: ChecklistPropertyValue) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.write(clientKey, issueId, value);
    } catch (err) {
      if (!isProductApiError(err) || !err.transient || attempt >= 6) throw err;
      // Retry-After first (retrying earlier only earns a longer wait), else exponential.
      const wait = err.retryAfterMs ?? Math.min(60_000, 2_000 * 2 ** (attempt - 1));
      deps.log.warn({ tenant: tenantRef(clientKey), kind: err.kind, status: err.status, waitMs: wait }, 'backfill: product busy or down, waiting');
      await sleep(Math.min(wait, 5 * 60_000));
    }
  }
}

export async function backfillProperties(deps: BackfillDeps, opts: BackfillOptions): Promise<BackfillResult> {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? defaultSleep;
  const { prisma } = deps;
  const lease = opts.dryRun ? null : await acquireJobLease(prisma, BACKFILL_JOB, now(), { staleAfterMs: 2 * 60_000 });
  if (!opts.dryRun && !lease) return { outcome: 'busy', sites: [] };
  const cursors: Cursors = opts.restart ? {} : await savedCursors(prisma, lease?.id);
  const tenants = await prisma.tenant.findMany({
    where: { uninstalledAt: null, productType: 'jira', ...(opts.site ? { clientKey: opts.site } : {}) },
    orderBy: { clientKey: 'asc' },
    select: { clientKey: true },
  });
  const sites: SiteReport[] = [];
  let outcome: BackfillResult['outcome'] = opts.dryRun ? 'dry-run' : 'done';
  let total = 0;
  const gap = 1000 / opts.ratePerSecond;
  outer: for (const { clientKey } of tenants) {
    const ref = tenantRef(clientKey);
    const from = cursors[ref];
    const report: SiteReport = { site: ref, clientKey, pending: 0, written: 0, gone: 0 };
    sites.push(report);
    if (from === SITE_DONE) continue;
    const after = from ? { issueId: { gt: from } } : {};
    report.pending = await prisma.checklistState.count({ where: { clientKey, ...after } });
    if (opts.dryRun) continue;
    let cursor = from;
    for (;;) {
      const page = await prisma.checklistState.findMany({ where: { clientKey, ...(cursor ? { issueId: { gt: cursor } } : {}) }, orderBy: { issueId: 'asc' }, take: PAGE, select: { issueId: true } });
      if (!page.length) break;
      for (const { issueId } of page) {
        if (opts.signal?.aborted) {
          outcome = 'interrupted';
          break outer;
        }
        if (opts.limit !== undefined && total >= opts.limit) {
          outcome = 'paused';
          break outer;
        }
        try {
          const r = await writeWithRetries(deps, sleep, clientKey, issueId, await progress(prisma, clientKey, issueId));
          if (r === 'issue-gone') report.gone++;
          else report.written++;
        } catch (err) {
          report.error = isProductApiError(err) ? `${err.kind}${err.status ? ` ${err.status}` : ''}` : (err as Error).message;
          outcome = 'failed';
          deps.log.error({ tenant: ref, error: report.error }, 'backfill: site skipped, run again to continue');
          continue outer;
        }
        total++;
        cursors[ref] = cursor = issueId;
        if (total % 20 === 0) await lease!.heartbeat(now(), { cursors });
        await sleep(gap);
      }
    }
    cursors[ref] = SITE_DONE;
    await lease!.heartbeat(now(), { cursors });
  }
  await lease?.finish(now(), outcome, { cursors, written: total });
  return { outcome, sites };
}
