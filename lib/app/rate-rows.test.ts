import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqlBudgetStore, SqlRateLimitState } from 'atlassian-connect-next';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db/open';
import { freshPostgresDatabase, testDatabaseKind } from '@/test/support/database';
import { pruneRateLimitRows } from './app-connect';

let db: Database | undefined;
let dir: string | undefined;
afterEach(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = dir = undefined;
});

describe(`rate-limit housekeeping (${testDatabaseKind})`, () => {
  it('deletes pauses and budgets over two hours past, and keeps the rest', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rate-rows-'));
    db = await openDatabase({ databaseUrl: testDatabaseKind === 'postgres' ? await freshPostgresDatabase() : undefined, dataDir: dir });
    const now = Date.parse('2026-12-03T12:00:00Z');
    const hour = 3_600_000;
    const pauses = new SqlRateLimitState(db.runner, { now: () => now });
    await pauses.pause({ key: 'site:old', until: now - 3 * hour, reason: 'test' });
    await pauses.pause({ key: 'site:recent', until: now - hour, reason: 'test' });
    await pauses.pause({ key: 'site:now', until: now + 1_000, reason: 'test' });
    const budgets = new SqlBudgetStore(db.runner);
    await budgets.lease('issue:old', now - 3 * hour, 10, 1, 1);
    await budgets.lease('quota:this-hour', now - 30 * 60_000, 10, 1, 1);

    expect(await pruneRateLimitRows(db, new Date(now))).toEqual({ pauses: 1, budgets: 1 });
    const left = async (table: string) => (await db!.runner.query<{ key: string }>(`SELECT "key" FROM "${table}" ORDER BY "key"`)).map((r) => r.key);
    expect(await left('ConnectRateLimitPause')).toEqual(['site:now', 'site:recent']);
    expect(await left('ConnectRateBudget')).toEqual(['quota:this-hour']);
  });
});
