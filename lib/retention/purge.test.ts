import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeExpiredTenants, PURGE_JOB } from './purge';
import { openTestDb, testDatabaseKind, type TestDb } from '@/test/support/database';
import { DAY, memoryLog, rowsFor, seedSite, tenantStore } from '@/test/support/seed';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const EMPTY = { tenant: 0, settings: 0, items: 0, states: 0, prefs: 0, profiles: 0, productCache: 0, lifecycle: 0 };

describe(`retention purge (${testDatabaseKind})`, () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await openTestDb();
  });
  afterEach(async () => {
    await db.close();
  });

  const purge = (now: Date, extra: Partial<Parameters<typeof purgeExpiredTenants>[0]> = {}) =>
    purgeExpiredTenants({ prisma: db.prisma, now, retentionDays: 30, log: memoryLog(), ...extra });

  it('keeps a site inside the window and brings everything back on reinstall', async () => {
    const site = await seedSite(db.prisma, T0);
    const before = await rowsFor(db.prisma, site.clientKey);
    await tenantStore(db.prisma).markUninstalled(site.clientKey, at(1));

    const r = await purge(at(30)); // 29 days after uninstall
    expect(r.outcome).toBe('done');
    expect(r.purged).toHaveLength(0);
    expect(await rowsFor(db.prisma, site.clientKey)).toEqual(before);

    const back = await tenantStore(db.prisma).upsertInstall(
      { clientKey: site.clientKey, appKey: 'com.example.connect-checklists', sharedSecret: 'rotated-secret', baseUrl: site.baseUrl, productType: 'jira' },
      at(30),
    );
    expect(back.uninstalledAt).toBeNull();
    // Long after the original window: a reinstalled site is never purged.
    expect((await purge(at(400))).purged).toHaveLength(0);
    expect(await rowsFor(db.prisma, site.clientKey)).toEqual(before);
  });

  it('removes a site past the window from every table, and a reinstall then starts fresh', async () => {
    const gone = await seedSite(db.prisma, T0);
    const kept = await seedSite(db.prisma, T0);
    const keptRows = await rowsFor(db.prisma, kept.clientKey);
    await tenantStore(db.prisma).markUninstalled(gone.clientKey, at(1));
    await db.prisma.jobRun.create({ data: { job: `gdpr-report:${(await import('./site-data')).tenantRef(gone.clientKey)}`, startedAt: at(1) } });
    await db.prisma.connectJob.create({ data: { queue: 'issue-property', clientKey: gone.clientKey, payload: { issueId: '10001' }, runAt: at(1), maxAttempts: 3, createdAt: at(1), updatedAt: at(1) } });

    const log = memoryLog();
    const r = await purge(at(31), { log });
    expect(r.purged).toHaveLength(1);
    expect(r.purged[0]!.counts).toMatchObject({ tenant: 1, checklistItems: 2, checklistStates: 1, preferences: 2, settings: 1, profiles: 2, productCache: 1, jobs: 1, lifecycleEvents: 1, jobRuns: 1 });
    expect(await db.prisma.connectJob.count({ where: { clientKey: gone.clientKey } })).toBe(0);
    expect(await rowsFor(db.prisma, gone.clientKey)).toEqual(EMPTY);
    expect(await db.prisma.jobRun.count({ where: { job: { startsWith: 'gdpr-report:' } } })).toBe(0);
    expect(await rowsFor(db.prisma, kept.clientKey)).toEqual(keptRows);
    // Logs carry counts and a hashed site reference, never the clientKey or an accountId.
    expect(log.text()).not.toContain(gone.clientKey);
    for (const acc of gone.accounts) expect(log.text()).not.toContain(acc);

    // Idempotent: a second run finds nothing.
    expect((await purge(at(32))).purged).toHaveLength(0);

    const fresh = await tenantStore(db.prisma).upsertInstall(
      { clientKey: gone.clientKey, appKey: 'com.example.connect-checklists', sharedSecret: 'new', baseUrl: gone.baseUrl, productType: 'jira' },
      at(40),
    );
    expect(fresh.installedAt).toEqual(at(40));
    expect(await rowsFor(db.prisma, gone.clientKey)).toEqual({ ...EMPTY, tenant: 1 });
  });

  it('honours RETENTION_DAYS exactly at the boundary', async () => {
    const site = await seedSite(db.prisma, T0);
    await tenantStore(db.prisma).markUninstalled(site.clientKey, at(1));
    expect((await purge(new Date(at(31).getTime() - 1))).purged).toHaveLength(0);
    expect((await purge(at(31))).purged).toHaveLength(1);
  });

  it('never purges a site that is still calling after uninstall', async () => {
    const site = await seedSite(db.prisma, T0);
    await tenantStore(db.prisma).markUninstalled(site.clientKey, at(1));
    await tenantStore(db.prisma).touch(site.clientKey, at(5)); // e.g. adopted by Forge, still serving requests
    const r = await purge(at(100));
    expect(r.purged).toHaveLength(0);
    expect(r.stillCalling).toBe(1);
    expect((await rowsFor(db.prisma, site.clientKey)).tenant).toBe(1);

    // A touch inside the slack (asynchronous, throttled) does not keep a site alive.
    const other = await seedSite(db.prisma, T0);
    await tenantStore(db.prisma).markUninstalled(other.clientKey, at(1));
    await tenantStore(db.prisma).touch(other.clientKey, new Date(at(1).getTime() + 60_000));
    expect((await purge(at(100))).purged).toHaveLength(1);
  });

  it('dry run lists what would go and changes nothing', async () => {
    const site = await seedSite(db.prisma, T0);
    await tenantStore(db.prisma).markUninstalled(site.clientKey, at(1));
    const before = await rowsFor(db.prisma, site.clientKey);
    const runsBefore = await db.prisma.jobRun.count();
    const r = await purge(at(60), { dryRun: true });
    expect(r.outcome).toBe('dry-run');
    expect(r.candidates.map((c) => c.clientKey)).toEqual([site.clientKey]);
    expect(r.candidates[0]!.counts).toMatchObject({ tenant: 1, checklistItems: 2, preferences: 2, profiles: 2 });
    expect(await rowsFor(db.prisma, site.clientKey)).toEqual(before);
    expect(await db.prisma.jobRun.count()).toBe(runsBefore);
  });

  it('a crash mid-way leaves each site fully there or fully gone, and the next run resumes', async () => {
    const a = await seedSite(db.prisma, T0);
    const b = await seedSite(db.prisma, T0);
    await tenantStore(db.prisma).markUninstalled(a.clientKey, at(1));
    await tenantStore(db.prisma).markUninstalled(b.clientKey, at(2));
    const bRows = await rowsFor(db.prisma, b.clientKey);
    const r = await purge(at(40), {
      beforeCommit: (ck) => {
        if (ck === b.clientKey) throw new Error('simulated crash');
      },
    });
    expect(r.purged).toHaveLength(1);
    expect(r.failed).toBe(1);
    expect(await rowsFor(db.prisma, a.clientKey)).toEqual(EMPTY);
    expect(await rowsFor(db.prisma, b.clientKey)).toEqual(bRows);
    const again = await purge(at(41));
    expect(again.purged).toHaveLength(1);
    expect(await rowsFor(db.prisma, b.clientKey)).toEqual(EMPTY);
  });

  it('two purgers at once delete each site once', async () => {
    const sites = await Promise.all([0, 1, 2].map(() => seedSite(db.prisma, T0)));
    for (const s of sites) await tenantStore(db.prisma).markUninstalled(s.clientKey, at(1));
    // On PostgreSQL the second purger is a separate connection pool (as another instance would be).
    const other = (await db.second()) ?? db;
    const [r1, r2] = await Promise.all([purge(at(40)), purgeExpiredTenants({ prisma: other.prisma, now: at(40), retentionDays: 30, log: memoryLog() })]);
    expect(r1.purged.length + r2.purged.length).toBe(3);
    // The loser either found the job taken ("busy") or ran after the winner and found nothing.
    for (const r of [r1, r2]) expect(['done', 'busy']).toContain(r.outcome);
    const tenants = [...r1.purged, ...r2.purged].map((p) => p.tenant);
    expect(new Set(tenants).size).toBe(3);
    for (const s of sites) expect(await rowsFor(db.prisma, s.clientKey)).toEqual(EMPTY);
    const runs = await db.prisma.jobRun.findMany({ where: { job: PURGE_JOB } });
    expect(runs.every((run) => run.finishedAt !== null)).toBe(true);
  });

  it('takes over from a purger that crashed (stale run) but not from a live one', async () => {
    const site = await seedSite(db.prisma, T0);
    await tenantStore(db.prisma).markUninstalled(site.clientKey, at(1));
    await db.prisma.jobRun.create({ data: { job: PURGE_JOB, startedAt: at(40), detail: { heartbeatAt: at(40).toISOString() } } });
    expect((await purge(new Date(at(40).getTime() + 60_000))).outcome).toBe('busy');
    expect((await rowsFor(db.prisma, site.clientKey)).tenant).toBe(1);
    const r = await purge(new Date(at(40).getTime() + 60 * 60_000));
    expect(r.outcome).toBe('done');
    expect(r.purged).toHaveLength(1);
    expect(await db.prisma.jobRun.count({ where: { job: PURGE_JOB, outcome: 'abandoned' } })).toBe(1);
  });
});
