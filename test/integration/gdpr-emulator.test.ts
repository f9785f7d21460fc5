import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '@/emulator/lib/emulator';
import { signSymmetricToken } from '@/emulator/lib/signing';
import { databaseOptions, freePort, startApp, type AppServer } from '../support/app-server';

/**
 * End to end through the product emulator: the emulator installs the built app, plays
 * Atlassian's personal data reporting API (emulator/gdpr.ts, mounted by the emulator), and the
 * app's own schedule (started from lib/app/startup.ts) reports and erases a closed account.
 * The first scheduled run comes 20–30 s after the app starts.
 */
describe('personal data reporting through the emulator', () => {
  let emu: Emulator;
  let app: AppServer;
  const CLOSED = '5be24ba3f91c106033269289'; // the "closed" test account id Atlassian's guide uses
  const ACTIVE = '5be24ad8b1653240376955d2';

  beforeAll(async () => {
    // The Forge extension is not needed here (and is loaded with require, which vitest lacks).
    process.env.EMU_FORGE = '0';
    const port = await freePort();
    emu = await new Emulator({ appUrl: `http://localhost:${port}`, port: 0, quiet: true }).start();
    const emuPort = new URL(emu.url).port;
    app = await startApp({
      ...(await databaseOptions()),
      port,
      env: {
        APP_BASE_URL: `http://localhost:${port}`,
        CONNECT_KEYS_CDN_URL: emu.keysUrl,
        ALLOWED_PRODUCT_HOSTS: `localhost:${emuPort},127.0.0.1:${emuPort}`,
        OAUTH_AUTH_SERVER_URL: emu.url,
        GDPR_REPORT_INTERVAL_HOURS: '1',
        PURGE_INTERVAL_MINUTES: '0',
      },
    });
    const results = await emu.install('jira');
    if (!results.every((r) => r.ok)) throw new Error(`install failed: ${JSON.stringify(results)}\n${app.output()}`);
  }, 300_000);
  afterAll(async () => {
    await app?.stop();
    await emu?.stop();
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

    // Wait for the run itself; the cap only guards against a hang (a busy machine is slow to start it).
    const cap = Date.now() + 180_000;
    while (!app.output().includes('personal data reporting finished') && Date.now() < cap) await new Promise((r) => setTimeout(r, 500));
    expect(app.output()).toContain('personal data reporting finished');

    const calls = emu.gdpr!.calls.filter((c) => c.site === emu.sites.jira.baseUrl);
    expect(calls.map((c) => [c.status, c.accountIds.sort()])).toEqual([[200, [ACTIVE, CLOSED].sort()]]);
    expect((await prefs(CLOSED)).hideCompleted).toBe(false);
    expect((await prefs(ACTIVE)).hideCompleted).toBe(true);
    expect(app.output()).not.toContain(CLOSED);
  }, 300_000);
});
