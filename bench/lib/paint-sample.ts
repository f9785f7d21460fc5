import { pageUrl, type Site } from '../../test/support/product';
import { sampler, type Outcome, type Sample } from './render-drive';

/**
 * A Chromium sample of the panel's first useful paint: navigation start of the signed panel
 * URL to the panel's `checklist:ready` mark (its data rendered), or to its error state. Each
 * load is a fresh browser context (cold cache), one at a time.
 */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export async function paintSample(app: string, site: Site, issueIds: string[]): Promise<Sample> {
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const s = sampler();
  try {
    for (const issueId of issueIds) {
      const ctx = await browser.newContext({ viewport: { width: 480, height: 800 } });
      const page = await ctx.newPage();
      const url = await pageUrl(app, site, '/panel/issue', {
        accountId: 'bench-viewer',
        params: { issueId, issueKey: `BEN-${issueId}`, projectKey: 'BEN', projectId: '10100', lic: 'active', loc: 'en-US', tz: 'Europe/Berlin' },
      });
      await page.goto(url);
      const state = page.locator('[data-testid="panel-ready"], [data-testid="panel-error"]').first();
      let outcome: Outcome = 'failed:timeout';
      let ms = 15_000;
      try {
        await state.waitFor({ timeout: 15_000 });
        const ready = await page.evaluate(() => performance.getEntriesByName('checklist:ready')[0]?.startTime ?? null);
        const degraded = (await page.getByTestId('panel-degraded').count()) > 0;
        outcome = ready === null ? 'failed:panel-error' : degraded ? 'degraded' : 'ok';
        ms = ready ?? (await page.evaluate(() => performance.now()));
      } catch {
        /* counted as a timeout */
      }
      s.add({ ms, outcome });
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  return s.sample();
}
