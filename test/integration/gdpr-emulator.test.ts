import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '@/emulator/lib/emulator';
import { signSymmetricToken } from 'atlassian-connect-next/testing';
import { startEmulatorStack, type AppServer, type Stack } from '../../scripts/stack';
import { databaseOptions } from '../support/database';

/**
 * End to end through the product emulator: the emulator installs the built app, plays
 * Atlassian's personal data reporting API (emulator/gdpr.ts, mounted by the emulator), and the
 * app's own schedule (started from lib/app/startup.ts) reports and erases a closed account.
 * The first scheduled run comes 20–30 s after the app starts.
 */
describe('personal data reporting through the emulator', () => {
  let stack: Stack;
  let emu: Emulator;
  let app: AppServer;
  const CLOSED = '5be24ba3f91c106033269289'; // the "closed" test account id Atlassian's guide uses
  const ACTIVE = '5be24ad8b1653240376955d2';

  beforeAll(async () => {
    stack = await startEmulatorStack({ ...(await databaseOptions()), env: { GDPR_REPORT_INTERVAL_HOURS: '1', PURGE_INTERVAL_MINUTES: '0' } });
    ({ emu, app } = stack);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  async function prefs(accountId: string, method: 'GET' | 'PUT' = 'GET', body?: unknown) {
    const site = emu.sites.jira;
    const token = await signSymmetricToken({ sharedSecret: site.sharedSecret!, issuer: site.clientKey, qsh: 'context-qsh', accountId });
    const res = await fetch(`${app.url}/api/preferences`, {
      method,
      headers: { authorization: `JWT ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { hideCompleted: boolean };
  }

  it('erases the closed account and leaves the active one', async () => {
    await prefs(CLOSED, 'PUT', { hideCompleted: true });
    await prefs(ACTIVE, 'PUT', { hideCompleted: true });
    emu.gdpr!.closed.add(CLOSED);

    const deadline = Date.now() + 60_000;
    while (!app.output().includes('personal data reporting finished') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(app.output()).toContain('personal data reporting finished');

    const calls = emu.gdpr!.calls.filter((c) => c.site === emu.sites.jira.baseUrl);
    expect(calls.map((c) => [c.status, c.accountIds.sort()])).toEqual([[200, [ACTIVE, CLOSED].sort()]]);
    expect((await prefs(CLOSED)).hideCompleted).toBe(false);
    expect((await prefs(ACTIVE)).hideCompleted).toBe(true);
    expect(app.output()).not.toContain(CLOSED);
  }, 90_000);
});
