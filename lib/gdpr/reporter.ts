import 'server-only';
import { type ConnectLogger, type ProductRequester } from 'atlassian-connect-next';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { acquireJobLease } from '@/lib/retention/job-lease';
import { gdprJobName, tenantRef } from '@/lib/retention/site-data';
import { accountsWithPersonalData, eraseAccount, refreshProfile } from './personal-data';
import { batches, DEFAULT_CYCLE_MS, reportAccounts, type ReportOutcome, type ReportedAccount } from './report-api';

/**
 * One personal data reporting run over every installed site (see report-api.ts for the API).
 * Each site is reported once per cycle (7 days, or longer when the API's Cycle-Period says so);
 * the run itself is started every GDPR_REPORT_INTERVAL_HOURS and only reports the sites that are
 * due. A site's state is its latest JobRun row (`gdpr-report:<hashed clientKey>`), removed with
 * the site by the retention purge. One reporter at a time across instances (JobRun lease).
 * Logs carry counts and hashed site references, never accountIds.
 */

export const REPORT_JOB = 'gdpr-report';
/** A 429 asking for at most this long is waited out within the run; longer ones end the run. */
const MAX_INLINE_WAIT_MS = 60_000;
const MAX_ATTEMPTS = 4;
/** After an error other than 429, try the site again after this long. */
const RETRY_FAILED_MS = 60 * 60_000;

export interface ReportRunOptions {
  prisma: PrismaClient;
  /** Calls a site's product as the app (the product client's `asApp`). */
  product: (clientKey: string) => ProductRequester;
  now: Date;
  log: ConnectLogger;
  sleep?: (ms: number) => Promise<void>;
  /** After a site's personal data changed (erased or refreshed): drop in-memory copies. */
  onSiteChanged?: (clientKey: string) => void;
}

export interface SiteReport {
  tenant: string;
  outcome: 'reported' | 'nothing-stored' | 'rate-limited' | 'failed';
  accounts: number;
  requests: number;
  closed: number;
  updated: number;
  refreshed: number;
}

export interface ReportRunResult {
  outcome: 'done' | 'busy' | 'rate-limited';
  sites: SiteReport[];
  notDue: number;
}

interface SiteState {
  nextDueAt?: string;
}

async function siteDue(prisma: PrismaClient, clientKey: string, now: Date): Promise<boolean> {
  const last = await prisma.jobRun.findFirst({ where: { job: gdprJobName(clientKey) }, orderBy: { startedAt: 'desc' }, select: { detail: true } });
  const next = (last?.detail as SiteState | null)?.nextDueAt;
  return !next || Date.parse(next) <= now.getTime();
}

async function recordSite(prisma: PrismaClient, clientKey: string, now: Date, r: SiteReport, nextDueAt: Date): Promise<void> {
  const { tenant: _t, outcome, ...counts } = r;
  await prisma.jobRun.create({
    data: { job: gdprJobName(clientKey), startedAt: now, finishedAt: now, outcome, detail: { ...counts, nextDueAt: nextDueAt.toISOString() } as Prisma.InputJsonObject },
  });
}

/** One batch, waiting out short 429s (Retry-After honoured exactly). */
async function reportWithRetry(opts: ReportRunOptions, rq: ProductRequester, batch: ReportedAccount[]): Promise<ReportOutcome & { requests: number }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    const out = await reportAccounts(rq, batch).catch((): ReportOutcome => ({ kind: 'failed', status: 0 }));
    if (out.kind !== 'rate-limited' || attempt >= MAX_ATTEMPTS || out.retryAfterMs > MAX_INLINE_WAIT_MS) return { ...out, requests: attempt };
    await sleep(out.retryAfterMs);
  }
}

async function reportSite(opts: ReportRunOptions, rq: ProductRequester): Promise<{ report: SiteReport; nextDueAt: Date; stop: boolean }> {
  const { prisma, now } = opts;
  const clientKey = rq.clientKey;
  const accounts = await accountsWithPersonalData(prisma, clientKey);
  const report: SiteReport = { tenant: tenantRef(clientKey), outcome: 'reported', accounts: accounts.length, requests: 0, closed: 0, updated: 0, refreshed: 0 };
  if (accounts.length === 0) {
    return { report: { ...report, outcome: 'nothing-stored' }, nextDueAt: new Date(now.getTime() + DEFAULT_CYCLE_MS), stop: false };
  }
  let cycle = DEFAULT_CYCLE_MS;
  for (const batch of batches(accounts)) {
    const out = await reportWithRetry(opts, rq, batch);
    report.requests += out.requests;
    if (out.kind === 'rate-limited') {
      return { report: { ...report, outcome: 'rate-limited' }, nextDueAt: new Date(now.getTime() + out.retryAfterMs), stop: true };
    }
    if (out.kind === 'failed') {
      opts.log.warn({ job: REPORT_JOB, tenant: report.tenant, status: out.status }, 'personal data report failed for a site');
      return { report: { ...report, outcome: 'failed' }, nextDueAt: new Date(now.getTime() + RETRY_FAILED_MS), stop: false };
    }
    if (out.cyclePeriodMs && out.cyclePeriodMs > cycle) cycle = out.cyclePeriodMs;
    for (const a of out.accounts) {
      if (a.status === 'closed') {
        await eraseAccount(prisma, clientKey, a.accountId);
        report.closed++;
      } else {
        report.updated++;
        if ((await refreshProfile(prisma, rq, a.accountId, now)) === 'refreshed') report.refreshed++;
      }
    }
  }
  return { report, nextDueAt: new Date(now.getTime() + cycle), stop: false };
}

export async function runPersonalDataReport(opts: ReportRunOptions): Promise<ReportRunResult> {
  const { prisma, now, log } = opts;
  const lease = await acquireJobLease(prisma, REPORT_JOB, now);
  if (!lease) return { outcome: 'busy', sites: [], notDue: 0 };
  const result: ReportRunResult = { outcome: 'done', sites: [], notDue: 0 };
  try {
    const installed = await prisma.tenant.findMany({ where: { uninstalledAt: null }, select: { clientKey: true }, orderBy: { clientKey: 'asc' } });
    for (const { clientKey } of installed) {
      if (!(await siteDue(prisma, clientKey, now))) {
        result.notDue++;
        continue;
      }
      const rq = opts.product(clientKey);
      // Uninstalled since the list was read: its data waits for the retention purge.
      if (!(await rq.tenant().then(() => true, () => false))) continue;
      const { report, nextDueAt, stop } = await reportSite(opts, rq);
      await recordSite(prisma, clientKey, now, report, nextDueAt);
      if (report.closed || report.refreshed) opts.onSiteChanged?.(clientKey);
      result.sites.push(report);
      log.info({ job: REPORT_JOB, ...report, nextDueAt }, 'personal data reported for a site');
      await lease.heartbeat(now, { sites: result.sites.length });
      if (stop) {
        // The API is throttling the app: the other sites wait for the next run.
        result.outcome = 'rate-limited';
        break;
      }
    }
    const totals = {
      sites: result.sites.length,
      notDue: result.notDue,
      closed: result.sites.reduce((n, s) => n + s.closed, 0),
      updated: result.sites.reduce((n, s) => n + s.updated, 0),
    };
    await lease.finish(now, result.outcome, totals);
    log.info({ job: REPORT_JOB, outcome: result.outcome, ...totals }, 'personal data reporting finished');
    return result;
  } catch (err) {
    await lease.finish(now, 'failed', { error: (err as Error).message.slice(0, 200) }).catch(() => undefined);
    throw err;
  }
}
