import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db/open';
import { dropDatabase, freshPostgresDatabase, testDatabaseKind } from '@/test/support/database';
import { CHECKLIST_CHANGED, ChecklistReadCache } from './read-cache';
import { createChecklistRepository } from './repository';

/**
 * The read cache's correctness rests on the database announcing every checklist change (the
 * triggers of migration 20261205000000_checklist_change_notify) to every instance: tested on the
 * real database of this pass, and with two instances on one PostgreSQL.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openShared(): Promise<{ url?: string; open(): Promise<Database> }> {
  const url = testDatabaseKind === 'postgres' ? await freshPostgresDatabase() : undefined;
  if (url) cleanups.push(() => dropDatabase(url));
  return {
    url,
    async open() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'announce-'));
      const db = await openDatabase({ databaseUrl: url, dataDir });
      cleanups.push(async () => {
        await db.close();
        rmSync(dataDir, { recursive: true, force: true });
      });
      return db;
    },
  };
}

/** The announcements one instance receives, and a wait for the next one that matches. */
async function listener(db: Database) {
  const seen: string[] = [];
  const waiters: { match: (p: string) => boolean; resolve: () => void }[] = [];
  const states: boolean[] = [];
  const stateWaiters: { up: boolean; resolve: () => void }[] = [];
  const cache = new ChecklistReadCache();
  await db.listen(CHECKLIST_CHANGED, {
    notify: (p) => {
      seen.push(p);
      cache.announced(p);
      for (const w of waiters.splice(0)) (w.match(p) ? w.resolve : () => waiters.push(w))();
    },
    state: (up) => {
      states.push(up);
      cache.listening(up);
      for (const w of stateWaiters.splice(0)) (w.up === up ? w.resolve : () => stateWaiters.push(w))();
    },
  });
  return {
    seen,
    states,
    cache,
    /** Resolves on an announcement matching `match` received after the first `since` ones. */
    next: (match: (p: string) => boolean, since = 0) => new Promise<void>((resolve) => (seen.slice(since).some(match) ? resolve() : waiters.push({ match, resolve }))),
    becomes: (up: boolean) => new Promise<void>((resolve) => stateWaiters.push({ up, resolve })),
  };
}

describe(`checklist change announcements (${testDatabaseKind})`, () => {
  it('every write announces its issue once per statement, on commit; a write to many issues announces the site', async () => {
    const shared = await openShared();
    const db = await shared.open();
    const l = await listener(db);
    expect(l.states).toEqual([true]);
    const repo = createChecklistRepository(db.prisma);
    await repo.createItem('site-a', '10', { text: 'one', by: 'u', maxItems: 10 });
    await l.next((p) => p === 'site-a\u000110');
    // A raw write no repository knows of (a purge, psql) is announced too.
    await db.runner.query(`UPDATE "ChecklistItem" SET "text" = 'two' WHERE "clientKey" = 'site-a'`);
    await db.runner.query(`INSERT INTO "ChecklistItem" ("id", "clientKey", "issueId", "text", "position", "updatedAt") SELECT 'x' || g, 'site-b', g::text, 't', 1, now() FROM generate_series(1, 501) g`);
    await l.next((p) => p === 'site-b\u0001*');
    await db.runner.query(`DELETE FROM "ChecklistItem" WHERE "clientKey" = 'site-b' AND "issueId" = '7'`);
    await l.next((p) => p === 'site-b\u00017');
    // Nothing is announced for a rolled-back change.
    await db.runner.exec(`BEGIN; DELETE FROM "ChecklistItem" WHERE "clientKey" = 'site-a'; ROLLBACK;`);
    await db.runner.query(`DELETE FROM "ChecklistItem" WHERE "clientKey" = 'site-c'`);
    await db.runner.query(`INSERT INTO "ChecklistState" ("clientKey", "issueId") VALUES ('site-d', '1')`);
    await l.next((p) => p === 'site-d\u00011');
    // One per transaction and issue (PostgreSQL folds the same payload within a transaction:
    // createItem's state and item writes announce once), the UPDATE one more; the rolled-back
    // delete and the delete that matched nothing announce nothing.
    expect(l.seen).toEqual(['site-a\u000110', 'site-a\u000110', 'site-b\u0001*', 'site-b\u00017', 'site-d\u00011']);
  });

  it("an issue-property job's changes announce that issue's writes; other queues and the purge of finished jobs announce nothing", async () => {
    const shared = await openShared();
    const db = await shared.open();
    const l = await listener(db);
    const job = (queue: string, issueId: string, status = 'pending') =>
      `INSERT INTO "ConnectJob" ("queue", "clientKey", "payload", "status", "runAt", "maxAttempts", "coalesceKey", "createdAt", "updatedAt")
       VALUES ('${queue}', 'site-j', '{}', '${status}', now(), 5, '${issueId}', now(), now())`;
    await db.runner.query(job('webhook', '1'));
    await db.runner.query(job('issue-property', '2'));
    await l.next((p) => p === 'site-j\u00012\u0001writes');
    // Claimed (running), then finished.
    await db.runner.query(`UPDATE "ConnectJob" SET "status" = 'running' WHERE "queue" = 'issue-property'`);
    await db.runner.query(`UPDATE "ConnectJob" SET "status" = 'done', "finishedAt" = now() WHERE "queue" = 'issue-property'`);
    // The purge of finished jobs and a webhook job's run: nothing the panel shows.
    await db.runner.query(`DELETE FROM "ConnectJob" WHERE "status" = 'done'`);
    await db.runner.query(`UPDATE "ConnectJob" SET "status" = 'running' WHERE "queue" = 'webhook'`);
    // A pending write cancelled (the issue deleted) is announced.
    await db.runner.query(job('issue-property', '3'));
    await db.runner.query(`DELETE FROM "ConnectJob" WHERE "coalesceKey" = '3'`);
    await db.runner.query(`INSERT INTO "ChecklistState" ("clientKey", "issueId") VALUES ('site-j', 'last')`);
    await l.next((p) => p === 'site-j\u0001last');
    expect(l.seen).toEqual(['site-j\u00012\u0001writes', 'site-j\u00012\u0001writes', 'site-j\u00012\u0001writes', 'site-j\u00013\u0001writes', 'site-j\u00013\u0001writes', 'site-j\u0001last']);
    // Many issues in one statement: the site.
    await db.runner.query(`INSERT INTO "ConnectJob" ("queue", "clientKey", "payload", "status", "runAt", "maxAttempts", "coalesceKey", "createdAt", "updatedAt")
      SELECT 'issue-property', 'site-k', '{}', 'pending', now(), 5, g::text, now(), now() FROM generate_series(1, 501) g`);
    await l.next((p) => p === 'site-k\u0001*\u0001writes');
  });

  it('a cached checklist changed behind the repository (raw SQL) is read fresh once announced', async () => {
    const shared = await openShared();
    const db = await shared.open();
    const l = await listener(db);
    const repo = createChecklistRepository(db.prisma, l.cache);
    await repo.createItem('site', '1', { text: 'kept', by: 'u', maxItems: 10 });
    // (Its own announcement, which on PostgreSQL arrives a moment later, would drop the entry again.)
    await l.next((p) => p === 'site\u00011');
    expect((await repo.listItems('site', '1')).map((i) => i.text)).toEqual(['kept']);
    expect((await repo.listItems('site', '1')).map((i) => i.text)).toEqual(['kept']);
    expect(l.cache.stats().hits).toBe(1);
    const since = l.seen.length;
    await db.runner.query(`DELETE FROM "ChecklistItem" WHERE "clientKey" = 'site'`);
    await l.next((p) => p === 'site\u00011', since);
    expect(await repo.listItems('site', '1')).toEqual([]);
  });
});

describe.runIf(testDatabaseKind === 'postgres')('checklist change announcements across two instances (postgres)', () => {
  it("one instance's write is seen by the other's cached read once announced", async () => {
    const shared = await openShared();
    const [dbA, dbB] = [await shared.open(), await shared.open()];
    const [a, b] = [await listener(dbA), await listener(dbB)];
    const repoA = createChecklistRepository(dbA.prisma, a.cache);
    const repoB = createChecklistRepository(dbB.prisma, b.cache);
    expect(await repoB.listItems('site', '1')).toEqual([]);
    expect(await repoB.listItems('site', '1')).toEqual([]);
    expect(b.cache.stats().hits).toBe(1);
    const seenByB = b.next((p) => p === 'site\u00011', b.seen.length);
    const item = await repoA.createItem('site', '1', { text: 'from A', by: 'u', maxItems: 10 });
    await seenByB;
    expect((await repoB.listItems('site', '1')).map((i) => i.id)).toEqual([item.id]);
  });

  it('a lost LISTEN connection stops the cache (reads go to the database) until it is back', async () => {
    const shared = await openShared();
    const db = await shared.open();
    const l = await listener(db);
    const repo = createChecklistRepository(db.prisma, l.cache);
    await repo.listItems('site', '1');
    const down = l.becomes(false);
    const up = l.becomes(true);
    const admin = await openDatabase({ databaseUrl: shared.url, dataDir: mkdtempSync(path.join(tmpdir(), 'announce-')), skipMigrations: true });
    cleanups.push(() => admin.close());
    await admin.runner.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`);
    await down;
    expect(l.cache.stats().live).toBe(false);
    // A change made while nobody listened is still read (nothing is served from memory).
    await admin.runner.query(`INSERT INTO "ChecklistItem" ("id", "clientKey", "issueId", "text", "position", "updatedAt") VALUES ('z', 'site', '1', 'while down', 1, now())`);
    expect((await repo.listItems('site', '1')).map((i) => i.text)).toEqual(['while down']);
    await up;
    expect(l.cache.stats()).toMatchObject({ live: true, issues: 0 });
    expect((await repo.listItems('site', '1')).map((i) => i.text)).toEqual(['while down']);
  });
});
