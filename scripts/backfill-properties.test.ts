import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDescriptor } from '@/emulator/lib/descriptor';
import { Emulator } from '@/emulator/lib/emulator';
import { acquireEmbeddedLock } from '@/lib/db/embedded-lock';
import { openDatabase } from '@/lib/db/open';
import { PrismaTenantStore } from 'atlassian-connect-next/prisma';
import { createTestRuntime } from 'atlassian-connect-next/testing';
import { dropDatabase, freshPostgresDatabase } from '@/test/support/database';

/**
 * `npm run backfill:properties` as an operator runs it: a separate process on the app's
 * database, writing to the product emulator over HTTP (JWT, scopes and properties checked there).
 */
const kind = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
const APP_KEY = 'com.example.connect-checklists';
const PROP = `${APP_KEY}.checklist`;
const MASTER = randomBytes(32);
const SECRET = randomBytes(32).toString('base64url');

function runCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node_modules/.bin/tsx',
      ['--conditions=react-server', 'scripts/backfill-properties.ts', ...args],
      { cwd: process.cwd(), env: { ...process.env, DATABASE_URL: undefined, LOG_LEVEL: undefined, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe(`npm run backfill:properties (${kind})`, () => {
  let emu: Emulator;
  let dataDir: string;
  let databaseUrl: string | undefined;
  let env: Record<string, string | undefined>;
  const writes = () => emu.issues.store.writes.map((w) => [w.issueId, w.value]);

  beforeAll(async () => {
    emu = await new Emulator({ appUrl: 'http://localhost:9', port: 0, keysPort: 0, quiet: true, extensions: [] }).start();
    const site = emu.site('jira');
    Object.assign(site, { installed: true, enabled: true, sharedSecret: SECRET, baseUrl: emu.url });
    site.descriptor = { key: APP_KEY, name: 'App', baseUrl: 'http://localhost:9', scopes: ['READ', 'WRITE'], modules: {} } as unknown as AppDescriptor;
    dataDir = mkdtempSync(path.join(tmpdir(), 'backfill-cli-'));
    databaseUrl = kind === 'postgres' ? await freshPostgresDatabase() : undefined;
    const emuHost = new URL(emu.url).host;
    env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, TENANT_SECRET_KEY: MASTER.toString('base64'), ALLOWED_PRODUCT_HOSTS: `${emuHost},localhost:${new URL(emu.url).port}` };
    const db = await openDatabase({ databaseUrl, dataDir });
    try {
      // Sealed as the app seals it: with a key the framework derives from TENANT_SECRET_KEY.
      await createTestRuntime({ store: new PrismaTenantStore(db.prisma), secretKey: MASTER }).store.upsertInstall({ clientKey: site.clientKey, appKey: APP_KEY, sharedSecret: SECRET, baseUrl: emu.url, productType: 'jira' }, new Date());
      const items: [string, boolean][] = [['10001', true], ['10001', false], ['10002', false], ['10003', true], ['10003', true], ['10003', true], ['99999', false]];
      await db.prisma.checklistItem.createMany({ data: items.map(([issueId, checked], i) => ({ id: `item-${i}`, clientKey: site.clientKey, issueId, text: `step ${i}`, checked, position: i })) });
      await db.prisma.checklistState.createMany({ data: ['10001', '10002', '10003', '99999'].map((issueId) => ({ clientKey: site.clientKey, issueId })) });
    } finally {
      await db.close();
    }
  }, 120_000);
  afterAll(async () => {
    await emu.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it('--dry-run counts and writes nothing', async () => {
    const r = await runCli(['--dry-run'], env);
    expect(r.stderr + r.stdout).toMatch(/would write 4/);
    expect(r.code).toBe(0);
    expect(writes()).toEqual([]);
  }, 180_000);

  it('writes in steps (--limit), resumes where it stopped, waits out a 429, and skips issues Jira no longer has', async () => {
    const first = await runCli(['--limit', '2', '--rate', '50'], env);
    expect(first.stdout).toMatch(/backfill paused/);
    expect(first.code).toBe(0);
    expect(writes()).toEqual([
      ['10001', { total: 2, done: 1, remaining: 1, complete: false }],
      ['10002', { total: 1, done: 0, remaining: 1, complete: false }],
    ]);
    emu.setFaults({ failNext: 1, failNextKind: '429', retryAfterSeconds: 1, pathPrefix: '/rest/api/3/issue/' });
    const second = await runCli(['--rate', '50'], env);
    expect(second.stdout).toMatch(/backfill done/);
    expect(second.stdout).toMatch(/written 1 {2}issue gone 1 {2}of 2 pending/);
    expect(second.stderr).toMatch(/"status":429/);
    expect(second.code).toBe(0);
    expect(writes()).toEqual([
      ['10001', { total: 2, done: 1, remaining: 1, complete: false }],
      ['10002', { total: 1, done: 0, remaining: 1, complete: false }],
      ['10003', { total: 3, done: 3, remaining: 0, complete: true }],
    ]);
    expect(emu.restLog.list().filter((c) => c.path.startsWith('/rest/api/3/issue/10003/')).map((c) => c.status)).toEqual([429, 201]);
    expect(emu.issues.store.get(emu.site('jira').clientKey, '10003', PROP)).toEqual({ total: 3, done: 3, remaining: 0, complete: true });
  }, 300_000);

  it('refuses bad arguments, and an embedded database another process holds', async () => {
    expect((await runCli(['--rate', '0'], env)).code).toBe(2);
    expect((await runCli(['--bogus'], env)).code).toBe(2);
    if (kind !== 'pglite') return;
    const release = acquireEmbeddedLock(dataDir);
    try {
      const r = await runCli([], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Stop the app first/);
    } finally {
      release();
    }
  }, 300_000);
});
