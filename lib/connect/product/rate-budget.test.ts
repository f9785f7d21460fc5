import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlClient } from '../jobs/types';
import { newFakeSite, TenantDirectory, tenantOf } from '../testing';
import type { FakeProduct } from '../testing/fake-product';
import { fastClient } from '../testing/product-client';
import { ProductApiError } from './errors';
import { RATE_BUDGET_TABLE_SQL, SqlBudgetStore } from './rate-budget';
import { MemoryRateLimitState } from './rate-limits';
import { RatePacer } from './rate-pacer';

/**
 * Budgets shared by instances through the database: two clients (two pacers, two connections)
 * over one PostgreSQL (TEST_DATABASE_URL; the embedded PGlite when it is not set) together never
 * spend more than the one budget, and a database that does not answer never fails a call.
 */
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR + 600_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Two independent connections to one fresh database with the budget table. */
async function sharedDatabase(): Promise<[SqlClient, SqlClient]> {
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    const name = `t_budget_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const root = new pg.Client({ connectionString: admin });
    await root.connect();
    await root.query(`CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    const pools = [new pg.Pool({ connectionString: url.toString(), max: 4 }), new pg.Pool({ connectionString: url.toString(), max: 4 })];
    // DROP … WITH (FORCE) ends idle connections the pools may still hold.
    for (const p of pools) p.on('error', () => undefined);
    await pools[0]!.query(RATE_BUDGET_TABLE_SQL);
    cleanups.push(async () => {
      await Promise.all(pools.map((p) => p.end()));
      await root.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await root.end();
    });
    const client = (p: pg.Pool): SqlClient => ({ query: async <T,>(sql: string, params?: unknown[]) => (await p.query(sql, params)).rows as T[] });
    return [client(pools[0]!), client(pools[1]!)];
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'budget-'));
  const db = await PGlite.create(path.join(dir, 'pg'));
  await db.exec(RATE_BUDGET_TABLE_SQL);
  cleanups.push(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const client: SqlClient = { query: async <T,>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows };
  return [client, client];
}

function recorder() {
  const sent: { site: string; path: string }[] = [];
  const fetch = async (input: URL | string) => {
    const url = new URL(String(input));
    sent.push({ site: url.host, path: url.pathname });
    await new Promise((r) => setImmediate(r));
    return new Response(JSON.stringify({ id: '10001', key: 'ABC-1', fields: {} }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { sent, fetch };
}

function instance(dir: TenantDirectory, fetch: ReturnType<typeof recorder>['fetch'], pacer: RatePacer) {
  return fastClient(dir, { authServerUrl: 'https://auth.example.net' } as FakeProduct, {
    now: () => T0,
    fetch,
    retry: { maxRetries: 0 },
    bulkhead: { maxConcurrent: 50, maxQueued: 200 },
    rateLimits: new MemoryRateLimitState(),
    pacing: pacer,
  });
}

function sites(n: number) {
  const dir = new TenantDirectory();
  const keys = Array.from({ length: n }, (_, i) => {
    const site = newFakeSite();
    dir.put(tenantOf({ site, baseUrl: `https://site-${i}.example.net` } as unknown as FakeProduct));
    return site.clientKey;
  });
  return { dir, keys };
}

const outcome = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof ProductApiError ? `${r.reason.kind}:${r.reason.limit}` : String(r.reason));

describe('budgets shared by instances (SqlBudgetStore)', () => {
  it('two instances over one database never spend more than the one app-wide pool between them', async () => {
    const [sqlA, sqlB] = await sharedDatabase();
    const { dir, keys } = sites(2);
    const product = recorder();
    // 100 points an hour, leased 10 at a time; GET issue costs 2.
    const a = instance(dir, product.fetch, new RatePacer({ store: new SqlBudgetStore(sqlA), appPointsPerHour: 100, quotaChunk: 0.1 }));
    const b = instance(dir, product.fetch, new RatePacer({ store: new SqlBudgetStore(sqlB), appPointsPerHour: 100, quotaChunk: 0.1 }));
    const calls = [a, b].flatMap((client, n) => Array.from({ length: 40 }, (_, i) => client.asApp(keys[n]!).get(`/rest/api/3/issue/ABC-${i}`)));
    const results = await Promise.allSettled(calls);
    const sent = product.sent.length;
    expect(2 * sent).toBeLessThanOrEqual(100);
    // At most one unspent chunk per instance is lost to the other.
    expect(2 * sent).toBeGreaterThanOrEqual(100 - 2 * 10);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(sent);
    expect(new Set(results.filter((r) => r.status === 'rejected').map(outcome))).toEqual(new Set(['rate_limited:app']));
    // Both instances got a share of it.
    expect(results.slice(0, 40).some((r) => r.status === 'fulfilled')).toBe(true);
    expect(results.slice(40).some((r) => r.status === 'fulfilled')).toBe(true);
    const [row] = await sqlA.query<{ spent: number }>(`SELECT "spent" FROM "ConnectRateBudget" WHERE "key" = 'quota:app'`);
    expect(row!.spent).toBeLessThanOrEqual(100);
  });

  it("a site's quota shared by two instances: that site stops, another site goes on", async () => {
    const [sqlA, sqlB] = await sharedDatabase();
    const { dir, keys } = sites(2);
    const product = recorder();
    const opts = { appPointsPerHour: null, sitePointsPerHour: (ck: string) => (ck === keys[0] ? 30 : null), quotaChunk: 0.2 };
    const a = instance(dir, product.fetch, new RatePacer({ store: new SqlBudgetStore(sqlA), ...opts }));
    const b = instance(dir, product.fetch, new RatePacer({ store: new SqlBudgetStore(sqlB), ...opts }));
    const results = await Promise.allSettled([a, b].flatMap((c) => Array.from({ length: 20 }, (_, i) => c.asApp(keys[0]!).get(`/rest/api/3/issue/ABC-${i}`))));
    expect(2 * product.sent.length).toBeLessThanOrEqual(30);
    expect(results.filter((r) => r.status === 'rejected').map(outcome).every((o) => o === 'rate_limited:site')).toBe(true);
    const other = await Promise.allSettled([a, b].map((c) => c.asApp(keys[1]!).get('/rest/api/3/issue/ABC-1')));
    expect(other.map(outcome)).toEqual(['ok', 'ok']);
  });

  it('a database that does not answer never fails a product call: the instance paces alone and says so', async () => {
    const errors: unknown[] = [];
    const down: SqlClient = { query: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) };
    const { dir, keys } = sites(1);
    const product = recorder();
    const client = instance(dir, product.fetch, new RatePacer({ store: new SqlBudgetStore(down), appPointsPerHour: 20, onError: (e) => errors.push(e) }));
    const results = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => client.asApp(keys[0]!).get(`/rest/api/3/issue/ABC-${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(new Set(results.filter((r) => r.status === 'rejected').map(outcome))).toEqual(new Set(['rate_limited:app']));
    expect(errors.length).toBeGreaterThan(0);
  });

  it('the table SQL is the migration the reference app ships', () => {
    const migration = readFileSync(path.join(process.cwd(), 'prisma/migrations/20261205000000_rate_budgets/migration.sql'), 'utf8');
    const norm = (s: string) => s.replace(/--.*$/gm, '').replace(/\s+/g, ' ').trim();
    expect(norm(migration)).toBe(norm(RATE_BUDGET_TABLE_SQL));
  });
});
