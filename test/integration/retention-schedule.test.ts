import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db/open';
import { dropDatabase, freshPostgresDatabase, testDatabaseKind } from '@/test/support/database';
import { DAY, rowsFor, seedSite, tenantStore } from '@/test/support/seed';
import { startApp, type AppServer } from '@/scripts/stack';

/**
 * The in-app schedule (started from lib/app/startup.ts) purges on its own, also on the embedded
 * database, which no other process may open while the app runs. The sites are seeded before the
 * app starts; the first scheduled run comes 20–30 s after start.
 */
describe(`scheduled purge inside the running app (${testDatabaseKind})`, () => {
  const dataDir = mkdtempSync(path.join(process.env.RET_TMP ?? tmpdir(), 'ret-sched-'));
  let app: AppServer | undefined;
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('removes a site past retention and keeps one inside it', async () => {
    const databaseUrl = testDatabaseKind === 'postgres' ? await freshPostgresDatabase() : undefined;
    const open = () => openDatabase({ databaseUrl, dataDir });
    const now = Date.now();
    let d = await open();
    const old = await seedSite(d.prisma, new Date(now - 60 * DAY));
    const recent = await seedSite(d.prisma, new Date(now - 60 * DAY));
    await tenantStore(d.prisma).markUninstalled(old.clientKey, new Date(now - 31 * DAY));
    await tenantStore(d.prisma).markUninstalled(recent.clientKey, new Date(now - 2 * DAY));
    await d.close();

    app = await startApp({ databaseUrl, dataDir, env: { RETENTION_DAYS: '30', PURGE_INTERVAL_MINUTES: '1', GDPR_REPORT_INTERVAL_HOURS: '0' } });
    // Wait for the run itself; the cap only guards against a hang (a busy machine is slow to start it).
    const cap = Date.now() + 180_000;
    while (!app.output().includes('retention: purge finished') && Date.now() < cap) await new Promise((r) => setTimeout(r, 500));
    const out = app.output();
    await app.stop();
    app = undefined;

    expect(out).toContain('retention: site data purged');
    expect(out).not.toContain(old.clientKey); // logs carry a hashed reference only
    d = await open();
    try {
      expect(await rowsFor(d.prisma, old.clientKey)).toMatchObject({ tenant: 0, items: 0, prefs: 0, profiles: 0, lifecycle: 0 });
      expect(await rowsFor(d.prisma, recent.clientKey)).toMatchObject({ tenant: 1, items: 2, prefs: 2 });
      expect(await d.prisma.jobRun.count({ where: { job: 'retention-purge', outcome: 'done' } })).toBe(1);
    } finally {
      await d.close();
      if (databaseUrl) await dropDatabase(databaseUrl);
    }
  }, 900_000);
});
