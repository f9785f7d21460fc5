import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '@/emulator/lib/emulator';
import { signSymmetricToken } from 'atlassian-connect-next/testing';
import { emulatorEnv, startApp, startEmulatorStack, type AppServer, type Stack } from '../../scripts/stack';
import { databaseOptions } from '../support/database';

/**
 * End to end through the product emulator: the emulator installs the built app, plays
 * Atlassian's personal data reporting API (emulator/gdpr.ts, mounted by the emulator), and the
 * app's own schedule (started from lib/app/startup.ts) reports and erases a closed account.
 * The first scheduled run comes 20–30 s after the app starts: so the data is written with the
 * schedule off, and the app restarted on the same database with it on, so that run cannot come
 * before the data however slow the machine is.
 */
describe('personal data reporting through the emulator', () => {
  let stack: Stack;
  let emu: Emulator;
  let app: AppServer | undefined;
  let database: { databaseUrl?: string };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gdpr-emu-'));
  const CLOSED = '5be24ba3f91c106033269289'; // the "closed" test account id Atlassian's guide uses
  const ACTIVE = '5be24ad8b1653240376955d2';

  const env = (reportEveryHours: number) => ({
    GDPR_REPORT_INTERVAL_HOURS: String(reportEveryHours),
    PURGE_INTERVAL_MINUTES: '0',
    // A healthy local product: a slow machine must not turn a complete answer into a degraded one.
    PRODUCT_RENDER_BUDGET_MS: '10000',
  });

  beforeAll(async () => {
    database = await databaseOptions();
    stack = await startEmulatorStack({ ...database, dataDir, env: env(0) });
    ({ emu, app } = stack);
  }, 600_000);
  afterAll(async () => {
    await app?.stop();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function prefs(server: AppServer, accountId: string, method: 'GET' | 'PUT' = 'GET', body?: unknown) {
    const site = emu.sites.jira;
    const token = await signSymmetricToken({ sharedSecret: site.sharedSecret!, issuer: site.clientKey, qsh: 'context-qsh', accountId });
    const res = await fetch(`${server.url}/api/preferences`, {
      method,
      headers: { authorization: `JWT ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { hideCompleted: boolean };
  }

  it('erases the closed account and leaves the active one', async () => {
    await prefs(app!, CLOSED, 'PUT', { hideCompleted: true });
    await prefs(app!, ACTIVE, 'PUT', { hideCompleted: true });
    emu.gdpr!.closed.add(CLOSED);
    expect(app!.output()).toContain('scheduled job disabled');
    await app!.stop();
    app = await startApp({ ...database, dataDir, keepData: true, port: stack.app.port, env: { ...emulatorEnv(emu), ...env(1) } });
    const server = app;

    // Wait for the run itself; the cap only guards against a hang (a busy machine is slow to start it).
    const cap = Date.now() + 180_000;
    while (!server.output().includes('personal data reporting finished') && Date.now() < cap) await new Promise((r) => setTimeout(r, 500));
    expect(server.output()).toContain('personal data reporting finished');

    const calls = emu.gdpr!.calls.filter((c) => c.site === emu.sites.jira.baseUrl);
    expect(calls.map((c) => [c.status, c.accountIds.sort()])).toEqual([[200, [ACTIVE, CLOSED].sort()]]);
    expect((await prefs(server, CLOSED)).hideCompleted).toBe(false);
    expect((await prefs(server, ACTIVE)).hideCompleted).toBe(true);
    expect(server.output()).not.toContain(CLOSED);
  }, 900_000);
});
