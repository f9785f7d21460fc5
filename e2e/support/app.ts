import { expect, type FrameLocator, type Locator, type Page } from '@playwright/test';

/** Helpers for the reference app's panel and admin page, through their data-testids. */

export const PANEL = 'checklist-panel';
export const GLANCE = 'checklist-glance';
export const ADMIN = 'checklists-admin';

/** Waits for the panel to be usable (ready, or read-only) and returns its root. */
export async function panelReady(frame: FrameLocator): Promise<Locator> {
  const ready = frame.getByTestId('panel-ready');
  await expect(ready).toBeVisible({ timeout: 20_000 });
  return ready;
}

/**
 * Types like a person. Firefox ESR over WebDriver BiDi sets the value on `fill()` without the
 * input events React listens to (the app's state stays empty), so type the keys instead.
 */
export async function typeInto(input: Locator, text: string): Promise<void> {
  await input.click();
  await input.press('ControlOrMeta+a');
  await input.press('Delete');
  await input.pressSequentially(text);
  await expect(input).toHaveValue(text);
}

export async function addItem(frame: FrameLocator, text: string): Promise<void> {
  const before = await frame.getByTestId('checklist-item').count();
  await typeInto(frame.getByTestId('checklist-add-input'), text);
  await frame.getByTestId('checklist-add-submit').click();
  await expect(frame.getByTestId('checklist-item')).toHaveCount(before + 1);
  await expect(frame.getByTestId('checklist-item-text').filter({ hasText: text })).toBeVisible();
}

export function itemTexts(frame: FrameLocator): Promise<string[]> {
  return frame.getByTestId('checklist-item-text').allTextContents();
}

/**
 * Calls the app's JSON API from inside its iframe with the session token the page was given
 * (what the app's own code does), so server-side checks can be proven from the browser.
 */
export async function apiFromFrame(frame: FrameLocator, method: string, path: string, body?: unknown): Promise<{ status: number; body: { error?: { code?: string } } & Record<string, unknown> }> {
  return frame.locator('body').evaluate(
    async (_el, a) => {
      const boot = JSON.parse(document.getElementById('app-bootstrap')!.textContent!) as { sessionToken: string };
      const res = await fetch(a.path, {
        method: a.method,
        headers: { authorization: `Bearer ${boot.sessionToken}`, 'content-type': 'application/json' },
        body: a.body === undefined ? undefined : JSON.stringify(a.body),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    },
    { method, path, body },
  );
}

/** The iframe's height equals the height of its content (no inner scrollbar, no large gap). */
export async function expectFitsContent(frame: FrameLocator, slack = 24): Promise<void> {
  await expect
    .poll(
      async () =>
        frame.locator('body').evaluate((_b, s) => {
          const el = document.querySelector('.ac-content');
          if (!el) return 'no .ac-content';
          const bottom = Math.ceil(el.getBoundingClientRect().bottom);
          const scroll = document.documentElement.scrollHeight;
          const vh = window.innerHeight;
          return scroll <= vh + 1 && vh - bottom <= s ? 'fits' : `content ${bottom}px, scroll ${scroll}px, iframe ${vh}px`;
        }, slack),
      { timeout: 10_000 },
    )
    .toBe('fits');
}

/**
 * Puts the site's settings back to the defaults through the app's API (as the admin whose
 * admin page is open), so later tests of the same worker start from a clean site.
 */
export async function restoreDefaultSettings(adminFrame: FrameLocator): Promise<void> {
  const overview = await apiFromFrame(adminFrame, 'GET', '/api/settings');
  const put = await apiFromFrame(adminFrame, 'PUT', '/api/settings', {
    version: overview.body.version,
    settings: { template: { enabled: false, items: [] }, projects: { mode: 'all', keys: [] }, showCheckedBy: true },
  });
  expect(put.status).toBe(200);
}

/**
 * The admin page confirms a save with a product flag (AP.flag through connect-host.js); the
 * emulator's flag provider renders it on the product page.
 */
export async function expectSavedFlag(page: Page): Promise<void> {
  await expect(page.getByTestId('emu-flag').filter({ hasText: 'Settings saved.' })).toBeVisible();
}

/**
 * A full-page module with the AP.js option sizeToParent: the product sized its iframe to the rest
 * of the window (connect-host.js: window height - iframe top - 1 px) and marked it.
 */
export async function expectSizedToParent(page: Page, iframe: Locator): Promise<void> {
  await expect(iframe).toHaveClass(/\bsized-to-parent\b/);
  const viewport = page.viewportSize()!;
  await expect
    .poll(async () => {
      const box = await iframe.boundingBox();
      const scrollY = await page.evaluate(() => window.scrollY);
      // Document coordinates: the product measured the iframe's offset from the top of the page
      // (fractional on a phone's device pixel ratio, hence the 1 px of rounding).
      return box ? Math.abs(box.y + scrollY + box.height - (viewport.height - 1)) <= 1 : false;
    })
    .toBe(true);
}
