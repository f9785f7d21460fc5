import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SwrCache } from 'atlassian-connect-next';
import { PrismaProductCacheStore } from 'atlassian-connect-next/prisma';
import { freshPostgresDatabase } from '@/test/support/database';
import { openDatabase, type Database } from './open';

// PGlite in a private dir under .tmp/rest-*, or a fresh PostgreSQL database when TEST_DATABASE_URL is set.
let db: Database;
let dir: string | undefined;
let pgUrl: string | undefined;
beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    pgUrl = await freshPostgresDatabase();
    db = await openDatabase({ databaseUrl: pgUrl, dataDir: '' });
  } else {
    mkdirSync('.tmp', { recursive: true });
    dir = mkdtempSync(path.join('.tmp', 'rest-db-'));
    db = await openDatabase({ dataDir: path.resolve(dir) });
  }
}, 600_000);
afterAll(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(pgUrl).pathname.slice(1)}" WITH (FORCE)`).finally(() => admin.end());
  }
});

describe('PrismaProductCacheStore (ProductCache table)', () => {
  it('stores JSON per (clientKey, key) and never crosses tenants', async () => {
    const store = new PrismaProductCacheStore(db.prisma);
    const at = new Date('2026-11-27T10:00:00Z');
    await store.set('site-a', 'license:app', { active: true, n: 1 }, at);
    await store.set('site-b', 'license:app', { active: false }, at);
    expect(await store.get('site-a', 'license:app')).toEqual({ value: { active: true, n: 1 }, fetchedAt: at });
    expect(await store.get('site-b', 'license:app')).toMatchObject({ value: { active: false } });
    expect(await store.get('site-c', 'license:app')).toBeNull();
  });

  it('keeps the newer value when two instances write the same key', async () => {
    const store = new PrismaProductCacheStore(db.prisma);
    const newer = new Date('2026-11-27T11:00:00Z');
    await store.set('site-a', 'issue:1', { summary: 'newer' }, newer);
    await store.set('site-a', 'issue:1', { summary: 'older' }, new Date('2026-11-27T10:30:00Z'));
    expect(await store.get('site-a', 'issue:1')).toEqual({ value: { summary: 'newer' }, fetchedAt: newer });
    await store.set('site-a', 'issue:1', { summary: 'newest' }, new Date('2026-11-27T12:00:00Z'));
    expect((await store.get('site-a', 'issue:1'))?.value).toEqual({ summary: 'newest' });
  });

  it('backs the SWR cache across a restart, and forgets a key or a whole tenant', async () => {
    const store = new PrismaProductCacheStore(db.prisma);
    const first = new SwrCache({ freshMs: 60_000, store });
    await first.read('site-x', 'issue:9', async () => ({ key: 'X-9', summary: 'kept' }));
    await first.read('site-x', 'user:u1', async () => ({ accountId: 'u1', displayName: 'U' }));
    // Store writes are fire-and-forget: wait until both rows are there.
    await vi.waitFor(async () => expect(await db.prisma.productCache.count({ where: { clientKey: 'site-x' } })).toBe(2), { timeout: 20_000, interval: 20 });
    const second = new SwrCache({ freshMs: 60_000, store });
    const got = await second.read('site-x', 'issue:9', async () => {
      throw new Error('must come from the store');
    });
    expect(got).toMatchObject({ value: { key: 'X-9', summary: 'kept' }, stale: false });
    await second.invalidate('site-x', 'user:u1');
    expect(await store.get('site-x', 'user:u1')).toBeNull();
    await second.forgetTenant('site-x');
    expect(await db.prisma.productCache.count({ where: { clientKey: 'site-x' } })).toBe(0);
    expect(await db.prisma.productCache.count({ where: { clientKey: 'site-a' } })).toBe(2);
  });
});
