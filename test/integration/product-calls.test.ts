import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorStack, type Stack } from '../../scripts/stack';

/**
 * What a view costs the site in product calls (every call spends points of Jira's 2026 quota):
 * a page load as the emulator's Jira embeds it, with the API calls the page makes at once (its
 * prefetch), counted in the emulator's REST log. In steady state (the caches warm, within their
 * freshness) a panel view costs at most one call and a repeated admin view none.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startEmulatorStack({ env: { PURGE_INTERVAL_MINUTES: '0', GDPR_REPORT_INTERVAL_HOURS: '0' } });
}, 180_000);
afterAll(() => stack?.stop());

/** Loads a module's iframe and its prefetched API calls; returns the product calls the app made meanwhile. */
async function view(module: string, params: Record<string, string> = {}): Promise<string[]> {
  stack.emu.restLog.clear();
  const { url } = (await (await fetch(`${stack.emu.url}/_emu/api/module-url?${new URLSearchParams({ module, ...params })}`)).json()) as { url: string };
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const boot = JSON.parse(/id="app-bootstrap"[^>]*>([^<]*)</.exec(await page.text())![1]!) as { sessionToken: string; prefetch?: Record<string, string> };
  for (const path of Object.values(boot.prefetch ?? {})) {
    const r = await fetch(new URL(path, stack.appUrl), { headers: { authorization: `Bearer ${boot.sessionToken}` } });
    expect(r.status, path).toBe(200);
    await r.text();
  }
  // One more round trip, so that a call the view started in the background has been sent.
  await (await fetch(`${stack.appUrl}/health`)).text();
  return stack.emu.restLog.list().map((r) => `${r.method} ${r.path.split('?')[0]}`);
}

describe('product calls per view', () => {
  // A call a view starts in the background may land in the next view's count: the first two
  // views together are the cold cost, the third is steady state.
  it('a panel view in steady state costs at most one product call', async () => {
    const [a, b, steady] = [await view('checklist-panel', { issue: 'DEMO-1' }), await view('checklist-panel', { issue: 'DEMO-1' }), await view('checklist-panel', { issue: 'DEMO-1' })];
    console.log(`panel view: cold ${a.length + b.length} calls (${[...a, ...b].join(', ')}), steady ${steady.length} (${steady.join(', ')})`);
    expect(steady.length).toBeLessThanOrEqual(1);
  });

  it('a repeated admin view costs none', async () => {
    const [a, b, steady] = [await view('checklists-admin', { user: 'admin' }), await view('checklists-admin', { user: 'admin' }), await view('checklists-admin', { user: 'admin' })];
    console.log(`admin view: cold ${a.length + b.length} calls (${[...a, ...b].join(', ')}), steady ${steady.length} (${steady.join(', ')})`);
    expect(steady).toEqual([]);
  });
});
