import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db/open';
import { acquireEmbeddedLock } from '@/lib/db/embedded-lock';
import { dropDatabase, freshPostgresDatabase } from '@/test/support/database';
import { DAY, rowsFor, seedSite, tenantStore } from '@/test/support/seed';

/** `npm run purge` as an operator runs it: a separate process against the app's database. */

function runCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node_modules/.bin/tsx',
      ['--conditions=react-server', 'scripts/purge.ts', ...args],
      // A hang guard: starting tsx and opening the database takes seconds idle, far more under load.
      { cwd: process.cwd(), env: { ...process.env, DATABASE_URL: undefined, ...env }, timeout: 180_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const kind = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

describe(`npm run purge (${kind})`, () => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(process.env.RET_TMP ?? tmpdir(), 'ret-cli-'));
    databaseUrl = process.env.TEST_DATABASE_URL ? await freshPostgresDatabase() : undefined;
    env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, RETENTION_DAYS: '30' };
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  async function withDb<T>(fn: (p: Awaited<ReturnType<typeof openDatabase>>['prisma']) => Promise<T>): Promise<T> {
    const d = await openDatabase({ databaseUrl, dataDir });
    try {
      return await fn(d.prisma);
    } finally {
      await d.close();
    }
  }

  it('lists with --dry-run, changes nothing, then purges for real', async () => {
    const now = Date.now();
    const [old, recent] = await withDb(async (p) => {
      const a = await seedSite(p, new Date(now - 90 * DAY));
      const b = await seedSite(p, new Date(now - 90 * DAY));
      await tenantStore(p).markUninstalled(a.clientKey, new Date(now - 31 * DAY));
      await tenantStore(p).markUninstalled(b.clientKey, new Date(now - 29 * DAY));
      return [a, b];
    });

    const dry = await runCli(['--dry-run'], env);
    expect(dry.stderr).not.toContain('"level":"error"');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: 1 site(s) would be purged; nothing was changed');
    expect(dry.stdout).toContain(old.clientKey);
    expect(dry.stdout).not.toContain(recent.clientKey);
    expect(await withDb((p) => rowsFor(p, old.clientKey))).toMatchObject({ tenant: 1, items: 2 });

    const real = await runCli([], env);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('purged 1 site(s)');
    expect(real.stdout + real.stderr).not.toContain(old.accounts[0]!);
    expect(await withDb((p) => rowsFor(p, old.clientKey))).toMatchObject({ tenant: 0, items: 0, prefs: 0 });
    expect(await withDb((p) => rowsFor(p, recent.clientKey))).toMatchObject({ tenant: 1, items: 2 });
  }, 600_000);

  it.runIf(kind === 'pglite')('refuses the embedded database while another process owns it', async () => {
    // The app process holds this lock while it runs; this test process plays the app.
    const release = acquireEmbeddedLock(dataDir, 'next start');
    try {
      const r = await runCli([], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`is in use by process ${process.pid}`);
      expect(r.stderr).toContain('its own schedule purges (PURGE_INTERVAL_MINUTES=60)');
    } finally {
      release();
    }
  }, 300_000);

  it('rejects unknown arguments and bad configuration with exit code 2', async () => {
    expect((await runCli(['--force'], env)).code).toBe(2);
    const bad = await runCli([], { ...env, RETENTION_DAYS: '0' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('RETENTION_DAYS');
  }, 300_000);
});
