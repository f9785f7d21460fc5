import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '@/lib/db/open';

/**
 * The database a test runs on: a fresh PostgreSQL database on the TEST_DATABASE_URL server when
 * it is set (the second pass of `npm test`), else the embedded PGlite in a temp dir.
 */
export const testDatabaseKind: 'postgres' | 'pglite' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** A new, empty database on the TEST_DATABASE_URL server. */
export async function freshPostgresDatabase(): Promise<string> {
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops a database made by freshPostgresDatabase() (test databases only). */
export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^t_[a-z0-9_]+$/.test(name)) return;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** For a started app (scripts/stack startApp): a fresh PostgreSQL database per call, or the embedded one. */
export async function databaseOptions(): Promise<{ databaseUrl?: string }> {
  return testDatabaseKind === 'postgres' ? { databaseUrl: await freshPostgresDatabase() } : {};
}

export interface TestDb extends Database {
  /** A second, independent connection to the same database (PostgreSQL only; PGlite has one owner). */
  second(): Promise<Database | null>;
}

/** A migrated database in this process, closed (and dropped or deleted) by `close()`. */
export async function openTestDb(): Promise<TestDb> {
  if (process.env.TEST_DATABASE_URL) {
    const url = await freshPostgresDatabase();
    const d = await openDatabase({ databaseUrl: url, dataDir: '' });
    const extra: Database[] = [];
    return {
      ...d,
      second: async () => {
        const s = await openDatabase({ databaseUrl: url, dataDir: '', skipMigrations: true });
        extra.push(s);
        return s;
      },
      close: async () => {
        for (const s of extra) await s.close();
        await d.close();
        await dropDatabase(url);
      },
    };
  }
  const dir = mkdtempSync(path.join(process.env.RET_TMP ?? tmpdir(), 'ret-db-'));
  const d = await openDatabase({ dataDir: dir });
  return {
    ...d,
    second: async () => null,
    close: async () => {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
