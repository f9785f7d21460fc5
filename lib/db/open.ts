import path from 'node:path';
import type { QueryConfig } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { acquireEmbeddedLock } from './embedded-lock';
import { loadMigrations, migrate, type SqlRunner } from './migrate';

export interface Database {
  prisma: PrismaClient;
  embedded: boolean;
  appliedMigrations: string[];
  /** Every migration this build knows (all must be applied for the app to be ready). */
  knownMigrations: string[];
  /** Runs raw SQL (used by migrations and maintenance jobs). */
  runner: SqlRunner;
  /**
   * One round trip answered within `timeoutMs`, or a {@link DatabaseUnavailable}: the names of
   * the applied migrations (readiness checks). A connection that hung past the deadline is
   * thrown away, not returned to the pool.
   */
  probe(timeoutMs: number): Promise<string[]>;
  /** Connections of PostgreSQL's pool (null for the embedded database, which has none). */
  poolStats(): { total: number; idle: number; waiting: number } | null;
  /**
   * LISTENs on `channel` (a lower-case identifier): `notify` gets each payload, `state` says
   * whether notifications are being received (PostgreSQL: a connection of its own, reconnected
   * with backoff; a change made while it was down is never announced, so `state(false)` means
   * "trust nothing you derived from announcements"). Stops with the returned function or `close`.
   */
  listen(channel: string, h: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  notify(payload: string): void;
  state(up: boolean): void;
}

function checkChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
}

/** The database did not answer a probe: `timeout` (no answer in time) or `unreachable` (an error). */
export class DatabaseUnavailable extends Error {
  constructor(readonly reason: 'timeout' | 'unreachable', detail: string) {
    super(`database ${reason}: ${detail}`);
    this.name = 'DatabaseUnavailable';
  }
}

const APPLIED_SQL = 'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';

/** `work` within `timeoutMs`, else DatabaseUnavailable('timeout'); its errors become 'unreachable'. */
async function withinDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailable('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([
      work.catch((err: unknown) => {
        throw err instanceof DatabaseUnavailable ? err : new DatabaseUnavailable('unreachable', (err as Error).message);
      }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Skip migrations (tests that manage them themselves). */
  skipMigrations?: boolean;
  /** PostgreSQL pool size of this process (default 10). */
  poolMax?: number;
  /** Observes how long each query took, Prisma and raw SQL alike (metrics). */
  onQuery?: (durationMs: number) => void;
}

/** `runner` with each statement's duration reported to `onQuery` (raw SQL: the job queue, maintenance). */
function timedRunner(runner: SqlRunner, onQuery?: (durationMs: number) => void): SqlRunner {
  if (!onQuery) return runner;
  const time = async <T,>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      onQuery(performance.now() - started);
    }
  };
  return { exec: (sql) => time(() => runner.exec(sql)), query: (sql, params) => time(() => runner.query(sql, params)) };
}

/** A Prisma client on `adapter`, reporting each query's duration to `onQuery` when given. */
function prismaClient(adapter: NonNullable<ConstructorParameters<typeof PrismaClient>[0]['adapter']>, onQuery?: (durationMs: number) => void): PrismaClient {
  if (!onQuery) return new PrismaClient({ adapter });
  const prisma = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (e) => onQuery(e.duration));
  return prisma as unknown as PrismaClient;
}

/** Opens PostgreSQL (databaseUrl) or the embedded PGlite under dataDir, and migrates it. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openEmbedded(opts);
}

/** How long a request waits for a pooled PostgreSQL connection before it fails (instead of hanging). */
const POOL_CONNECT_TIMEOUT_MS = 10_000;

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  const [{ Pool }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
  const pool = new Pool({ connectionString: url, max: opts.poolMax ?? 10, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS });
  // An idle connection the server dropped (a restart, a failover) is an event, not a crash.
  pool.on('error', () => undefined);
  const known = (await loadMigrations()).map((m) => m.name);
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
  const prisma = prismaClient(new PrismaPg(pool), opts.onQuery);
  const listeners = new Set<() => Promise<void>>();
  return {
    prisma,
    embedded: false,
    appliedMigrations: applied,
    knownMigrations: known,
    runner: timedRunner(poolRunner, opts.onQuery),
    probe: (timeoutMs) =>
      withinDeadline(
        (async () => {
          const c = await pool.connect();
          try {
            // query_timeout: a connection that stops answering is released with an error (destroyed).
            // (pg reads `query_timeout` per query; its type definitions do not list it)
            const config: QueryConfig & { query_timeout: number } = { text: APPLIED_SQL, query_timeout: timeoutMs };
            const res = await c.query<{ migration_name: string }>(config);
            c.release();
            return res.rows.map((r) => r.migration_name);
          } catch (err) {
            c.release(err as Error);
            throw err;
          }
        })(),
        timeoutMs,
      ),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    listen: async (channel, h) => {
      checkChannel(channel);
      const stop = await pgListener(url, channel, h);
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
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
    const known = (await loadMigrations()).map((m) => m.name);
    const applied = opts.skipMigrations ? [] : await migrate(runner);
    const prisma = prismaClient(new PrismaPGlite(pg), opts.onQuery);
    return {
      prisma,
      embedded: true,
      appliedMigrations: applied,
      knownMigrations: known,
      runner: timedRunner(runner, opts.onQuery),
      probe: (timeoutMs) => withinDeadline(runner.query<{ migration_name: string }>(APPLIED_SQL).then((rows) => rows.map((r) => r.migration_name)), timeoutMs),
      poolStats: () => null,
      // One connection, in this process: every notification of a committed change is delivered.
      listen: async (channel, h) => {
        checkChannel(channel);
        const unlisten = await pg.listen(channel, h.notify);
        h.state(true);
        return async () => {
          h.state(false);
          await unlisten();
        };
      },
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

/** Backoff of the LISTEN connection's reconnects, and how often it is checked to be alive. */
const LISTEN_RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
const LISTEN_CHECK_MS = 15_000;

/**
 * A PostgreSQL connection of its own that LISTENs, outside the pool. A connection that fails,
 * ends or stops answering its periodic check (a dead peer with no reset) reports `state(false)`
 * and is replaced; `state(true)` once LISTEN is in place again.
 */
async function pgListener(url: string, channel: string, h: ListenHandlers): Promise<() => Promise<void>> {
  const { Client } = await import('pg');
  let stopped = false;
  let current: InstanceType<typeof Client> | undefined;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let check: NodeJS.Timeout | undefined;

  const down = (c: InstanceType<typeof Client>) => {
    if (current !== c) return;
    current = undefined;
    clearInterval(check);
    h.state(false);
    c.end().catch(() => undefined);
    if (!stopped) timer = setTimeout(connect, LISTEN_RETRY_MS[Math.min(attempt++, LISTEN_RETRY_MS.length - 1)]);
  };

  async function connect(): Promise<void> {
    const c = new Client({ connectionString: url, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS, keepAlive: true });
    c.on('error', () => down(c));
    c.on('end', () => down(c));
    c.on('notification', (m) => {
      if (m.channel === channel) h.notify(m.payload ?? '');
    });
    current = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch {
      down(c);
      return;
    }
    if (stopped || current !== c) return;
    attempt = 0;
    h.state(true);
    check = setInterval(() => {
      const config: QueryConfig & { query_timeout: number } = { text: 'SELECT 1', query_timeout: LISTEN_CHECK_MS };
      c.query(config).catch(() => down(c));
    }, LISTEN_CHECK_MS);
    check.unref();
  }

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const c = current;
    if (c) {
      current = undefined;
      clearInterval(check);
      h.state(false);
      await c.end().catch(() => undefined);
    }
  };
}
