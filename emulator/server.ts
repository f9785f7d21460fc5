import { Emulator } from './lib/emulator';

/**
 * Starts the product emulator: `npx tsx emulator/server.ts`.
 *   EMU_PORT      port of the emulated site (default 4100); install keys on EMU_PORT + 1
 *   EMU_APP_URL   the app's base URL (default http://localhost:4200)
 *   EMU_INSTALL   1 = install the app into the Jira site once its descriptor answers
 *   EMU_STATE_FILE  keeps the sites' clientKeys across restarts (scripts/stack/dev.ts sets it)
 * The app must run with CONNECT_KEYS_CDN_URL, ALLOWED_PRODUCT_HOSTS, AP_JS_URL and
 * OAUTH_AUTH_SERVER_URL pointing here (printed at start; scripts/stack sets them).
 */

async function waitForApp(appUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${appUrl}/atlassian-connect.json`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`the app did not answer at ${appUrl} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function main(): Promise<void> {
  const port = Number(process.env.EMU_PORT ?? 4100);
  const appUrl = process.env.EMU_APP_URL ?? 'http://localhost:4200';
  const emu = await new Emulator({ appUrl, port, stateFile: process.env.EMU_STATE_FILE || undefined }).start();
  const host = new URL(emu.url).host;
  process.stdout.write(
    [
      `emulator listening on ${emu.url} (controls: ${emu.url}/_emu)`,
      'start the app with:',
      `  CONNECT_KEYS_CDN_URL=${emu.keysUrl}`,
      `  ALLOWED_PRODUCT_HOSTS=${host},127.0.0.1:${new URL(emu.url).port}`,
      `  AP_JS_URL=${emu.url}/atlassian-connect/all.js`,
      `  OAUTH_AUTH_SERVER_URL=${emu.url}`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    emu.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.env.EMU_INSTALL === '1') {
    await waitForApp(appUrl, Number(process.env.EMU_APP_WAIT_MS ?? 120_000));
    const results = await emu.install('jira');
    const ok = results.every((r) => r.ok);
    process.stdout.write(`install into ${emu.site('jira').baseUrl}: ${results.map((r) => `${r.event} ${r.skipped ?? r.status}`).join(', ')}\n`);
    if (!ok) process.stdout.write(`the app refused the install: ${results[0]?.response}\n`);
    process.stdout.write(`EMULATOR_READY ${emu.url}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator failed: ${(err as Error).message}\n`);
  process.exit(1);
});
