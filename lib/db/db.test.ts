import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireEmbeddedLock, EmbeddedDbLockedError } from './embedded-lock';
import { loadMigrations, migrate, MigrationError } from './migrate';
import { openDatabase, type Database } from './open';
import { freshPostgresDatabase, testDatabaseKind } from '@/test/support/database';

const dirs: string[] = [];
const opened: Database[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'db-test-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(): Promise<Database> {
  const db =
    testDatabaseKind === 'postgres'
      ? await openDatabase({ databaseUrl: await freshPostgresDatabase(), dataDir: tempDir() })
      : await openDatabase({ dataDir: tempDir() });
  opened.push(db);
  return db;
}

describe(`migrations (${testDatabaseKind})`, () => {
  it('apply once, are recorded the way Prisma Migrate records them, and are idempotent', async () => {
    const db = await open();
    const all = await loadMigrations();
    expect(db.appliedMigrations).toEqual(all.map((m) => m.name));
    const rows = await db.runner.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    for (const [i, m] of all.entries()) {
      const file = readFileSync(path.join('prisma/migrations', m.name, 'migration.sql'));
      expect(rows[i]).toMatchObject({ migration_name: m.name, checksum: createHash('sha256').update(file).digest('hex'), applied_steps_count: 1 });
      expect(rows[i]!.finished_at).not.toBeNull();
    }
    expect(await migrate(db.runner)).toEqual([]);
    // the schema works through the Prisma client
    await db.prisma.tenant.count();
  });

  it('refuse to continue when an applied migration was edited', async () => {
    const db = await open();
    const all = await loadMigrations();
    const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: createHash('sha256').update(m.sql + '\n-- edited').digest('hex') } : m));
    await expect(migrate(db.runner, edited)).rejects.toThrow(MigrationError);
  });

  it('roll back a failing migration completely', async () => {
    const db = await open();
    const bad = { name: '29990101000000_bad', sql: 'CREATE TABLE "Ok" ("id" TEXT);\nCREATE TABLE "Tenant" ("id" TEXT);', checksum: 'x'.repeat(64) };
    await expect(migrate(db.runner, [...(await loadMigrations()), bad])).rejects.toThrow(/29990101000000_bad/);
    const t = await db.runner.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'Ok'`);
    expect(t[0]!.n).toBe(0);
    const r = await db.runner.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = '29990101000000_bad'`);
    expect(r[0]!.n).toBe(0);
  });
});

describe('embedded database ownership', () => {
  it('records its owner and removes the lock on release', () => {
    const dir = tempDir();
    const release = acquireEmbeddedLock(dir, 'first');
    expect(JSON.parse(readFileSync(path.join(dir, 'owner.lock'), 'utf8'))).toMatchObject({ pid: process.pid, command: 'first' });
    release();
    expect(() => readFileSync(path.join(dir, 'owner.lock'))).toThrow();
  });

  it('another process opening the same directory fails at once naming the holder', () => {
    const dir = tempDir();
    const release = acquireEmbeddedLock(dir, 'the-test-holder');
    try {
      const script = `import('${path.resolve('lib/db/embedded-lock.ts')}').then(m => { const acquire = m.acquireEmbeddedLock ?? m.default.acquireEmbeddedLock; try { acquire(${JSON.stringify(dir)}); console.log('ACQUIRED'); } catch (e) { console.log(e.name + ': ' + e.message); } })`;
      const r = spawnSync('node', ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
      expect(r.stdout).toContain('EmbeddedDbLockedError');
      expect(r.stdout).toContain(`process ${process.pid}`);
      expect(r.stdout).toContain('the-test-holder');
      expect(r.stdout).not.toContain('ACQUIRED');
    } finally {
      release();
    }
  });

  it('a stale lock left by a dead process is taken over', () => {
    const dir = tempDir();
    const lock = path.join(dir, 'owner.lock');
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), startedAt: 'x', command: 'dead' }));
    const release = acquireEmbeddedLock(dir, 'the-new-owner');
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'the-new-owner' });
    release();
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock held from another host is refused', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'owner.lock'), JSON.stringify({ pid: 1, host: 'other-host', startedAt: 'x', command: 'x' }));
    expect(() => acquireEmbeddedLock(dir)).toThrow(EmbeddedDbLockedError);
  });
});
