import { test as base, expect, type FrameLocator, type Locator, type Page } from '@playwright/test';
import type { Emulator } from '../emulator/lib/emulator';
import type { LicenseChoice, Viewer } from '../emulator/lib/state';
import { collectErrors, type ErrorCollector } from './support/errors';
import { startStack, type Stack } from './support/stack';

/**
 * Fixtures: `stack` (worker-scoped: one built app + emulator, installed), `emu` (per test: the
 * emulator reset to an installed, enabled site with no faults and the default viewer),
 * `product` (helpers to open product pages and reach the app's iframes), and `pageErrors`
 * (automatic, every test): any uncaught error or console.error in the app's frames or on the
 * product page fails the test, except the library's known product-side lines
 * (e2e/support/errors.ts). A test that provokes an error on purpose acknowledges it.
 */

export interface ProductPages {
  /** Opens an issue view as the given viewer and returns the iframe of the module. */
  issue(key: string, viewer?: Partial<Viewer>): Promise<void>;
  /** Opens a general/admin page module (`force` loads admin pages for non-admins too). */
  module(moduleKey: string, viewer?: Partial<Viewer>, opts?: { force?: boolean }): Promise<void>;
  frame(moduleKey: string): FrameLocator;
  iframe(moduleKey: string): Locator;
  /** Waits until the host resized the iframe at least once; returns its height in px. */
  resized(moduleKey: string): Promise<number>;
}

async function ready(emu: Emulator): Promise<void> {
  await emu.reset();
  const jira = emu.site('jira');
  if (jira.baseUrl !== emu.url) await emu.changeBaseUrl(emu.url);
  if (!jira.installed) await emu.install();
  else if (!jira.enabled) await emu.enable();
  if (!jira.installed || !jira.enabled) throw new Error(`could not restore the installation: ${JSON.stringify(emu.lifecycleLog.list().slice(-3))}`);
}

function query(viewer: Partial<Viewer> = {}): string {
  const q = new URLSearchParams({ as: viewer.user ?? 'admin', loc: viewer.locale ?? 'en', lic: viewer.license ?? 'active' });
  return q.toString();
}

export const test = base.extend<{ emu: Emulator; product: ProductPages; pageErrors: ErrorCollector }, { stack: Stack }>({
  stack: [
    async ({}, provide, workerInfo) => {
      const stack = await startStack(workerInfo.parallelIndex);
      await provide(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 150_000 },
  ],
  emu: async ({ stack }, provide, testInfo) => {
    await ready(stack.emu);
    await provide(stack.emu);
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('emulator-state.json', { body: JSON.stringify(stack.emu.state(), null, 2), contentType: 'application/json' });
      await testInfo.attach('product-rest-calls.json', { body: JSON.stringify(stack.emu.restLog.list(), null, 2), contentType: 'application/json' });
      await testInfo.attach('lifecycle.json', { body: JSON.stringify(stack.emu.lifecycleLog.list(), null, 2), contentType: 'application/json' });
      await testInfo.attach('app-output.txt', { body: stack.appOutput().slice(-20_000), contentType: 'text/plain' });
    }
  },
  pageErrors: [
    async ({ page }, provide, testInfo) => {
      const errors = collectErrors(page);
      await provide(errors);
      const bad = errors.unexpected();
      if (bad.length) {
        await testInfo.attach('page-errors.json', { body: JSON.stringify(errors.all(), null, 2), contentType: 'application/json' });
        throw new Error(`errors in the browser (app frames or product page):\n${bad.map((e) => `  [${e.kind}] ${e.text} (${e.where})`).join('\n')}`);
      }
    },
    { auto: true },
  ],
  product: async ({ page, emu }, provide) => {
    const frameSel = (k: string) => `iframe[data-testid="ac-frame-${k}"]`;
    const d = () => emu.site('jira').descriptor!;
    await provide({
      issue: async (key, viewer) => {
        await page.goto(`${emu.site('jira').baseUrl}/browse/${key}?${query(viewer)}`);
      },
      module: async (moduleKey, viewer, opts) => {
        const force = opts?.force ? '&force=1' : '';
        await page.goto(`${emu.site('jira').baseUrl}/plugins/servlet/ac/${d().key}/${moduleKey}?${query(viewer)}${force}`);
      },
      frame: (k) => page.frameLocator(frameSel(k)),
      iframe: (k) => page.locator(frameSel(k)),
      resized: async (k) => {
        const el = page.locator(frameSel(k));
        await expect(el).toHaveAttribute('data-resize-count', /^[1-9]\d*$/);
        return Number(await el.getAttribute('data-content-height'));
      },
    });
  },
});

export { expect };

/** The viewer a license choice produces, for readable test tables. */
export const LICENSE_CASES: { license: LicenseChoice; param: 'active' | 'none' | 'absent' }[] = [
  { license: 'active', param: 'active' },
  { license: 'none', param: 'none' },
  { license: 'absent', param: 'absent' },
];

/** Height of `.ac-content` (or body) inside a frame, as AP.js measures it. */
export async function contentHeight(page: Page, moduleKey: string): Promise<number> {
  const frame = page.frameLocator(`iframe[data-testid="ac-frame-${moduleKey}"]`);
  return frame.locator('body').evaluate(() => {
    const el = document.querySelector('.ac-content') ?? document.body;
    const r = el.getBoundingClientRect();
    return Math.ceil(r.bottom + window.scrollY + parseFloat(getComputedStyle(el).marginBottom || '0') + parseFloat(getComputedStyle(document.body).paddingBottom || '0') + parseFloat(getComputedStyle(document.body).marginBottom || '0'));
  });
}
