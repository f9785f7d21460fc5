import { expect, test } from './fixtures';
import { ADMIN, GLANCE, PANEL, panelReady } from './support/app';

/**
 * The app under Atlassian's own bridge (atlassian-connect-js: connect-host.js on the product
 * page, iframe.js as the app's AP.js): product modules the app calls through the library, the
 * no-errors rule, and hydration left alone by AP.js.
 */

const GENERAL = 'checklists-home';
const CONFIGURE = 'checklists-configure';

test('the no-errors rule sees errors thrown or logged in an app frame and on the product page', async ({ page, product, pageErrors }) => {
  await product.module(GENERAL);
  const frame = product.frame(GENERAL);
  await expect(frame.getByTestId('general-tenant')).toBeVisible();
  await frame.locator('body').evaluate(() => {
    console.error('probe: console.error in the app frame');
    setTimeout(() => {
      throw new Error('probe: uncaught in the app frame');
    });
  });
  await page.evaluate(() => console.error('probe: console.error on the product page'));
  await expect
    .poll(() => pageErrors.unexpected().map((e) => e.text).sort())
    .toEqual(['Error: probe: uncaught in the app frame', 'probe: console.error in the app frame', 'probe: console.error on the product page']);
  // Provoked on purpose: acknowledged, so the fixture lets this test pass.
  expect(pageErrors.acknowledge(/^(Error: )?probe: /)).toBe(3);
});

test('every page the app serves loads under the library without a page error or console error @phone', async ({ page, product }) => {
  // The fixture's no-errors rule does the checking; each page is waited on until AP.js connected
  // (the product resized its iframe at least once), so the app's and iframe.js's start-up ran.
  await product.issue('DEMO-3');
  await panelReady(product.frame(PANEL));
  await product.resized(PANEL);
  await page.getByTestId(`glance-toggle-${GLANCE}`).click();
  await panelReady(product.frame(GLANCE));
  await product.resized(GLANCE);
  for (const key of [ADMIN, CONFIGURE]) {
    await product.module(key);
    await expect(product.frame(key).getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    await product.resized(key);
  }
  await product.module(GENERAL);
  await expect(product.frame(GENERAL).getByTestId('general-tenant')).toBeVisible();
  await product.resized(GENERAL);
});

test.describe('product modules through the library', () => {
  test('the admin page confirms a save with a product flag and opens Manage apps through the product @phone', async ({ page, product, emu }) => {
    await product.module(ADMIN);
    const frame = product.frame(ADMIN);
    await expect(frame.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    // sizeToParent ran: AP.js is connected.
    await product.resized(ADMIN);
    await frame.getByTestId('admin-save').click();
    const flag = page.getByTestId('emu-flag');
    await expect(flag).toContainText('Settings saved.');
    await expect(flag).toHaveAttribute('data-flag-type', 'success');
    // The flag replaces the form's own message.
    await expect(frame.getByTestId('admin-saved')).toHaveCount(0);
    await flag.getByRole('button', { name: 'Dismiss' }).click();
    await expect(flag).toHaveCount(0);

    // navigator.go('site', { relativeUrl }): the product page navigates, inside the site.
    await frame.getByTestId('admin-license-manage-link').click();
    await expect(page).toHaveURL(`${emu.site('jira').baseUrl}/plugins/servlet/upm`);
    await expect(page.getByTestId(`upm-app-${emu.site('jira').descriptor!.key}`)).toBeVisible();
  });

  test('the read-only panel sends people to Manage apps through the product', async ({ page, product, emu }) => {
    await product.issue('DEMO-1', { license: 'none' });
    const frame = product.frame(PANEL);
    await panelReady(frame);
    await product.resized(PANEL);
    await frame.getByTestId('panel-readonly-link').click();
    await expect(page).toHaveURL(`${emu.site('jira').baseUrl}/plugins/servlet/upm`);
    await expect(page.getByTestId('upm-license')).toContainText('No license');
  });
});

test('a page URL about to expire is signed again through the product\'s content resolver', async ({ page, product, emu }) => {
  // connect-host.js treats a page JWT expiring within 60 s as expired and asks the product's
  // content resolver for a fresh URL instead of loading it (what a glance opened late hits).
  emu.settings.pageTokenTtlSeconds = 30;
  const resolved = page.waitForResponse((r) => r.url().endsWith('/_emu/bridge/url'));
  await product.issue('DEMO-1');
  const fresh = (await (await resolved).json()) as { url: string };
  await panelReady(product.frame(PANEL));
  expect(await product.iframe(PANEL).getAttribute('src')).toBe(fresh.url);
  expect(new URL(fresh.url).searchParams.get('issueKey')).toBe('DEMO-1');
});

test.describe('hydration', () => {
  // Records, in every frame, the app root the server sent (before any script runs), so a test can
  // tell whether React kept it (hydrated) or threw it away and rendered the tree again.
  const recordServerRoot = () => {
    const grab = () => {
      const el = document.querySelector('.ac-content');
      if (el && !(window as unknown as { __serverRoot?: Element }).__serverRoot) (window as unknown as { __serverRoot?: Element }).__serverRoot = el;
    };
    new MutationObserver(grab).observe(document, { childList: true, subtree: true });
  };

  for (const c of [
    { name: 'the issue panel', open: 'issue', key: PANEL, ready: 'panel-ready' },
    { name: 'the admin page', open: 'module', key: ADMIN, ready: 'admin-ready' },
  ] as const) {
    test(`${c.name} hydrates the server-rendered shell in place (no client re-render of the tree)`, async ({ page, product }) => {
      await page.addInitScript(recordServerRoot);
      if (c.open === 'issue') await product.issue('DEMO-2');
      else await product.module(c.key);
      const frame = product.frame(c.key);
      await expect(frame.getByTestId(c.ready)).toBeVisible({ timeout: 20_000 });
      await product.resized(c.key);
      const kept = await frame.locator('body').evaluate(() => {
        const server = (window as unknown as { __serverRoot?: Element }).__serverRoot;
        return { recorded: !!server, same: server === document.querySelector('.ac-content'), connected: !!server?.isConnected };
      });
      expect(kept).toEqual({ recorded: true, same: true, connected: true });
    });
  }
});
