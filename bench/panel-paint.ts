/**
 * With `--bridge atlassian` (or `--emulator`): the same, but as a person sees it — Jira's issue
 * view in the local product emulator (scripts/stack), on Atlassian's bridge
 * (atlassian-connect-js: connect-host.js on the product page, iframe.js as AP.js), measured from
 * the issue page's navigation start to the mark inside the panel's iframe. It also checks that
 * React hydrated the server-rendered shell in place (the `.ac-content` node the server sent is
 * the one on screen: no client re-render of the whole tree). `--bridge none` (the default) loads
 * the panel URL alone, with no product page and no AP.js host.
 *
 * The issue panel's first useful paint in Chromium: from navigation start to the checklist's
 * items on screen (`performance.mark('checklist:ready')`, set by the panel when its data has
 * rendered), loading the panel URL the way the product's iframe does (page JWT with qsh, lic,
 * loc, tz). Cold = a fresh browser context (empty cache); warm = the same context again.
 *
 *   npm run bench:paint -- [--runs 10] [--emulator] [--rebuild | --no-build]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { FakeKeys, install, newSite, pageUrl, sessionFor } from '../test/support/product';
import { startEmulatorStack } from '../scripts/stack';
import { benchBuild, root, startApp } from './lib/harness';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    rebuild: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    bridge: { type: 'string', default: 'none' },
    emulator: { type: 'boolean', default: false },
  },
});
const bridge = args.emulator ? 'atlassian' : args.bridge;
if (bridge !== 'none' && bridge !== 'atlassian') throw new Error(`--bridge must be none or atlassian, not ${bridge}`);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

async function throughEmulator(): Promise<void> {
  const stack = await startEmulatorStack({ build: 'bench', cpus: '0', logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const base = stack.emu.site('jira').baseUrl;
    const cold: number[] = [];
    const warm: number[] = [];
    // Inside the panel's iframe: its own navigation start to ready (what the app controls).
    const coldApp: number[] = [];
    const warmApp: number[] = [];
    let kept = 0;
    let measured = '';
    const once = async (page: import('@playwright/test').Page) => {
      await page.goto(`${base}/browse/DEMO-1?as=admin&loc=de&lic=active`);
      const frame = page.frameLocator('iframe[data-testid="ac-frame-checklist-panel"]');
      await frame.locator('[data-testid="panel-ready"]').waitFor({ timeout: 20_000 });
      const top = await page.evaluate(() => performance.timeOrigin);
      const inner = await frame.locator('body').evaluate(() => ({
        ready: performance.getEntriesByName('checklist:ready')[0]?.startTime ?? NaN,
        at: performance.timeOrigin + (performance.getEntriesByName('checklist:ready')[0]?.startTime ?? NaN),
        kept: (window as unknown as { __serverRoot?: Element }).__serverRoot === document.querySelector('.ac-content'),
      }));
      if (inner.kept) kept++;
      // Which bridge the product page ran (the run says what it measured).
      measured ||= await page.evaluate(() => {
        const w = window as unknown as { connectHost?: unknown; _AP?: { version?: string } };
        return w.connectHost ? `atlassian-connect-js ${w._AP?.version ?? '?'} (connect-host.js on the product page, iframe.js as AP.js)` : "the emulator's hand-written bridge";
      });
      return { total: inner.at - top, app: inner.ready };
    };
    // In every frame, before any script: the app root the server sent, to compare after hydration.
    const recordServerRoot = () => {
      new MutationObserver(() => {
        const w = window as unknown as { __serverRoot?: Element };
        w.__serverRoot ??= document.querySelector('.ac-content') ?? undefined;
      }).observe(document, { childList: true, subtree: true });
    };
    for (let i = 0; i < Number(args.runs); i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await ctx.addInitScript(recordServerRoot);
      const page = await ctx.newPage();
      const c = await once(page);
      const w = await once(page);
      cold.push(c.total);
      coldApp.push(c.app);
      warm.push(w.total);
      warmApp.push(w.app);
      if (i === 0) await page.screenshot({ path: path.join(root, 'bench/results/panel-in-emulator.png') });
      await ctx.close();
    }
    const f = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p90 ${pct(xs, 90).toFixed(0)} ms`;
    console.log(`bridge: ${measured}`);
    console.log(`emulator issue view → panel ready, cold  ${f(cold)}`);
    console.log(`emulator issue view → panel ready, warm  ${f(warm)}`);
    console.log(`panel iframe start → ready, cold         ${f(coldApp)}`);
    console.log(`panel iframe start → ready, warm         ${f(warmApp)}`);
    console.log(`server-rendered shell hydrated in place  ${kept}/${cold.length + warm.length} loads`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

async function main(): Promise<void> {
  await benchBuild({ rebuild: args.rebuild, noBuild: args['no-build'] });
  if (bridge === 'atlassian') return throughEmulator();
  const product = new FakeProduct();
  await product.start();
  const keys = new FakeKeys();
  const keysUrl = await keys.start();
  const server = await startApp({
    CONNECT_KEYS_CDN_URL: keysUrl,
    ALLOWED_PRODUCT_HOSTS: new URL(product.url).host,
    // No AP.js host here: the panel must paint without it (it resizes once AP.js arrives).
    AP_JS_URL: `${product.url}/all.js`,
  });
  const app = server.url;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const site = newSite(product.url);
    product.sites.push(site);
    product.users.set('acc-bench', { displayName: 'Bench User' });
    await install(app, keys, site);
    const { token } = await sessionFor(app, site, 'acc-bench', { issueId: '10001' });
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${app}/api/checklists/10001/items`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: `Step ${i + 1} of the release` }) });
      const { item } = (await r.json()) as { item: { id: string } };
      if (i < 2) await fetch(`${app}/api/checklists/10001/items/${item.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ version: 1, checked: true }) });
    }
    const url = () => pageUrl(app, site, '/panel/issue', { accountId: 'acc-bench', params: { issueId: '10001', issueKey: 'CHK-1', projectKey: 'CHK', projectId: '100', lic: 'active', loc: 'de-DE', tz: 'Europe/Berlin' } });
    const measure = async (page: import('@playwright/test').Page) => {
      await page.goto(await url());
      await page.locator('[data-testid="checklist-item"]').first().waitFor({ timeout: 15_000 });
      return page.evaluate(() => ({
        ready: performance.getEntriesByName('checklist:ready')[0]?.startTime ?? NaN,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      }));
    };
    const cold: number[] = [];
    const warm: number[] = [];
    const fcp: number[] = [];
    const runs = Number(args.runs);
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 480, height: 800 } });
      const page = await ctx.newPage();
      const c = await measure(page);
      cold.push(c.ready);
      fcp.push(c.fcp);
      warm.push((await measure(page)).ready);
      if (i === 0) {
        mkdirSync(path.join(root, 'bench/results'), { recursive: true });
        await page.screenshot({ path: path.join(root, 'bench/results/panel.png'), fullPage: true });
      }
      await ctx.close();
    }
    const f = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p90 ${pct(xs, 90).toFixed(0)} ms`;
    console.log(`first contentful paint (shell)        ${f(fcp)}`);
    console.log(`first useful paint, cold cache        ${f(cold)}`);
    console.log(`first useful paint, warm cache        ${f(warm)}`);
  } finally {
    await browser.close();
    await server.stop();
    await product.stop();
    await keys.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
