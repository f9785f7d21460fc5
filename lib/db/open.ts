import path from 'node:path';
import { PrismaClient } from '../generated/prisma/client';
import { acquireEmbeddedLock } from './embedded-lock';
import { migrate, type SqlRunner } from './migrate';

export interface Database {
  prisma: PrismaClient;
  embedded: boolean;
  appliedMigrations: string[];
  /** Runs raw SQL (used by migrations and maintenance jobs). */
  runner: SqlRunner;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Skip migrations (tests that manage them themselves). */
  skipMigrations?: boolean;
}

/** Opens PostgreSQL (databaseUrl) or the embedded PGlite under dataDir, and migrates it. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openEmbedded(opts);
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  const [{ Pool }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
  const pool = new Pool({ connectionString: url, max: 10 });
  const client = await pool.connect();
  const runner: SqlRunner = {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T,>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
  };
  let applied: string[] = [];
  try {
    if (!opts.skipMigrations) applied = await migrate(runner);
  } finally {
    client.release();
  }
  const poolRunner: SqlRunner = {
    exec: async (sql) => {
      await pool.query(sql);
    },
    query: async <T,>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
  };
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    embedded: false,
    appliedMigrations: applied,
    runner: poolRunner,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openEmbedded(opts: OpenOptions): Promise<Database> {
  const release = acquireEmbeddedLock(opts.dataDir);
  try {
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('pglite-prisma-adapter'),
    ]);
    const pg = await PGlite.create(path.join(opts.dataDir, 'pglite'));
    const runner: SqlRunner = {
      exec: async (sql) => {
        await pg.exec(sql);
      },
      query: async <T,>(sql: string, params?: unknown[]) => (await pg.query<T>(sql, params)).rows,
    };
    const applied = opts.skipMigrations ? [] : await migrate(runner);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pg) });
    return {
      prisma,
      embedded: true,
      appliedMigrations: applied,
      runner,
      close: async () => {
        await prisma.$disconnect();
        await pg.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
