import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, type AppServer } from '../../scripts/stack';

/**
 * The app server's SIGTERM: it stops taking connections, answers what it already has, stops the
 * background work, closes the database (the embedded one's lock is released) and exits 0, well
 * before the stack's 5 s SIGKILL. A restart on the same data dir then opens the database again.
 */
let app: AppServer | undefined;
afterAll(async () => {
  await app?.stop();
  if (app) rmSync(app.dataDir, { recursive: true, force: true });
});

describe('the app server on SIGTERM', () => {
  it('exits 0 after closing the database, and the data dir opens again', async () => {
    app = await startApp({ keepData: true, env: { PURGE_INTERVAL_MINUTES: '0', GDPR_REPORT_INTERVAL_HOURS: '0' } });
    expect((await fetch(`${app.url}/atlassian-connect.json`)).status).toBe(200);
    process.kill(app.pid, 'SIGTERM');
    const exit = await app.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain('app server stopping');
    expect(app.output()).toContain('app stopped');
    const again = await startApp({ dataDir: app.dataDir, env: { PURGE_INTERVAL_MINUTES: '0', GDPR_REPORT_INTERVAL_HOURS: '0' } });
    try {
      expect((await fetch(`${again.url}/atlassian-connect.json`)).status).toBe(200);
    } finally {
      await again.stop();
    }
  });
});
