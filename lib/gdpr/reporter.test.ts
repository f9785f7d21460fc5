import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersonalDataReportingApi, startReportingServer, type GdprSite } from '@/emulator/gdpr';
import { openTestDb, testDatabaseKind, type TestDb } from '@/test/support/database';
import { DAY, memoryLog, seedSite, tenantStore } from '@/test/support/seed';
import { createProductClient } from 'atlassian-connect-next';
import { runPersonalDataReport, type ReportRunOptions } from './reporter';

const APP_KEY = 'com.example.connect-checklists';
const T = new Date('2026-03-01T00:00:00Z');
const later = (ms: number) => new Date(T.getTime() + ms);

describe(`personal data reporting against the reporting API over HTTP (${testDatabaseKind})`, () => {
  let db: TestDb;
  let api: PersonalDataReportingApi;
  let server: Awaited<ReturnType<typeof startReportingServer>>;
  const sites: GdprSite[] = [];
  /** The product's user endpoint: accountId → display name now. */
  const profiles = new Map<string, string>();

  beforeEach(async () => {
    db = await openTestDb();
    sites.length = 0;
    profiles.clear();
    api = new PersonalDataReportingApi(() => sites);
    server = await startReportingServer(api, (req, res, url) => {
      const ok = /^(\/wiki)?\/rest\/api\/(3\/)?user$/.test(url.pathname) && /^JWT /.test(req.headers.authorization ?? '');
      const name = profiles.get(url.searchParams.get('accountId') ?? '');
      if (!ok || !name) return void res.writeHead(ok ? 404 : 401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accountId: url.searchParams.get('accountId'), displayName: name }));
    });
  });
  afterEach(async () => {
    await server.stop();
    await db.close();
  });

  async function site(path = '', accounts: string[], productType = 'jira') {
    const s = await seedSite(db.prisma, T, { baseUrl: `${server.url}${path}`, accounts, productType });
    sites.push({ baseUrl: s.baseUrl, sharedSecret: s.sharedSecret, appKey: APP_KEY });
    return s;
  }

  const sleeps: number[] = [];
  const run = (now: Date, extra: Partial<ReportRunOptions> = {}) =>
    runPersonalDataReport({
      prisma: db.prisma,
      // The app's real product REST client (lib/connect/product), JWT-signing every call.
      product: (ck) =>
        createProductClient({ appKey: APP_KEY, resolveTenant: (k) => tenantStore(db.prisma).find(k), authServerUrl: 'http://127.0.0.1:1', timeoutMs: 5000 }).asApp(ck),
      now,
      log: memoryLog(),
      sleep: async (ms) => void sleeps.push(ms),
      ...extra,
    });

  it('erases closed accounts, refreshes updated ones, leaves other accounts alone', async () => {
    const [closed, updated, fine] = ['acc-closed', 'acc-updated', 'acc-fine'];
    const jira = await site('', [closed, updated, fine]);
    const conf = await site('/wiki', [updated, 'acc-conf-only'], 'confluence');
    // Who did what on jira: item 1 created by `closed`, checked by `updated`; item 2 by `updated`.
    await db.prisma.tenantSettings.update({ where: { clientKey: jira.clientKey }, data: { updatedBy: closed } });
    api.closed.add(closed);
    api.updated.set(updated, later(-1000)); // after the app fetched it at T - 1 day... see below
    await db.prisma.userProfileCache.updateMany({ where: { accountId: updated }, data: { fetchedAt: later(-DAY) } });
    profiles.set(updated, 'Renamed Person');

    const log = memoryLog();
    const r = await run(T, { log });
    expect(r.outcome).toBe('done');
    expect(r.sites.map((s) => s.outcome)).toEqual(['reported', 'reported']);

    const p = db.prisma;
    // closed: preferences and profile copy gone; the checklist stays, without the person.
    expect(await p.userPreference.count({ where: { accountId: closed } })).toBe(0);
    expect(await p.userProfileCache.count({ where: { accountId: closed } })).toBe(0);
    const items = await p.checklistItem.findMany({ where: { clientKey: jira.clientKey }, orderBy: { position: 'asc' } });
    expect(items.map((i) => [i.text, i.createdBy, i.checkedBy, i.checked])).toEqual([
      ['Write tests', null, updated, true],
      ['Ship', updated, null, false],
    ]);
    expect((await p.tenantSettings.findUnique({ where: { clientKey: jira.clientKey } }))?.updatedBy).toBeNull();
    // updated: the cached display name is fresh on both sites (Jira and Confluence user APIs).
    const names = await p.userProfileCache.findMany({ where: { accountId: updated } });
    expect(names.map((n) => [n.displayName, n.fetchedAt.toISOString()])).toEqual([
      ['Renamed Person', T.toISOString()],
      ['Renamed Person', T.toISOString()],
    ]);
    // untouched: everyone else.
    expect(await p.userPreference.count({ where: { accountId: fine } })).toBe(1);
    expect((await p.userProfileCache.findFirst({ where: { accountId: fine } }))?.displayName).toBe(`Name of ${fine}`);
    expect(await p.userPreference.count({ where: { clientKey: conf.clientKey } })).toBe(2);
    // Each site reported what it stores, with its own JWT (the fake checks iss, signature, qsh).
    const bySite = new Map(api.calls.map((c) => [c.site, [c.status, c.accountIds.sort()]]));
    expect(api.calls).toHaveLength(2);
    expect(bySite.get(jira.baseUrl)).toEqual([200, [closed, fine, updated].sort()]);
    expect(bySite.get(conf.baseUrl)).toEqual([200, ['acc-conf-only', updated]]);
    expect(log.text()).not.toMatch(/acc-/);
  });

  it('reports each site once per cycle (7 days by default)', async () => {
    await site('', ['a1', 'a2']);
    await run(T);
    expect(api.calls).toHaveLength(1);
    const r = await run(later(6 * DAY));
    expect(r.notDue).toBe(1);
    expect(api.calls).toHaveLength(1);
    await run(later(7 * DAY));
    expect(api.calls).toHaveLength(2);
  });

  it('follows a longer Cycle-Period from the API', async () => {
    api.cyclePeriod = String(10 * 86_400);
    await site('', ['a1']);
    await run(T);
    await run(later(8 * DAY));
    expect(api.calls).toHaveLength(1);
    await run(later(10 * DAY));
    expect(api.calls).toHaveLength(2);
  });

  it('sends at most 90 accounts per request', async () => {
    const many = Array.from({ length: 200 }, (_, i) => `acc-${String(i).padStart(3, '0')}`);
    await site('', many);
    await run(T);
    expect(api.calls.map((c) => c.accountIds.length)).toEqual([90, 90, 20]);
    expect(new Set(api.calls.flatMap((c) => c.accountIds)).size).toBe(200);
  });

  it('waits out a short Retry-After and defers the site for a long one', async () => {
    await site('', ['a1']);
    api.throttle = { count: 2, retryAfterSeconds: 3 };
    sleeps.length = 0;
    const r = await run(T);
    expect(sleeps).toEqual([3000, 3000]);
    expect(r.sites[0]!.outcome).toBe('reported');
    expect(api.calls.map((c) => c.status)).toEqual([429, 429, 204]);

    await site('/b', ['b1']); // a second site, due now
    api.throttle = { count: 1, retryAfterSeconds: 3600 };
    const r2 = await run(later(8 * DAY));
    expect(r2.outcome).toBe('rate-limited');
    expect(r2.sites).toHaveLength(1);
    const throttled = r2.sites[0]!.tenant;
    // The run stopped there: the other site is still due; the throttled one waits for Retry-After.
    const r3 = await run(later(8 * DAY + 1000 * 3599));
    expect(r3.sites.map((x) => x.tenant)).not.toContain(throttled);
    expect(r3.sites).toHaveLength(1);
    const r4 = await run(later(8 * DAY + 1000 * 3600));
    expect(r4.sites.map((x) => [x.tenant, x.outcome])).toEqual([[throttled, 'reported']]);
  });

  it('changes nothing when the API refuses the app (bad JWT)', async () => {
    const s = await site('', ['x1']);
    sites[0]!.sharedSecret = 'not-the-secret';
    api.closed.add('x1');
    const r = await run(T);
    expect(r.sites[0]!.outcome).toBe('failed');
    expect(api.calls[0]).toMatchObject({ status: 401, error: 'bad signature' });
    expect(await db.prisma.userPreference.count({ where: { clientKey: s.clientKey } })).toBe(1);
  });

  it('skips uninstalled sites and runs one reporter at a time', async () => {
    const s = await site('', ['u1']);
    await tenantStore(db.prisma).markUninstalled(s.clientKey, T);
    expect((await run(T)).sites).toHaveLength(0);
    await site('/u2', ['u2']);
    const [a, b] = await Promise.all([run(T), run(T)]);
    expect([...a.sites, ...b.sites].map((x) => x.outcome)).toEqual(['reported']);
    expect(api.calls).toHaveLength(1);
  });
});
