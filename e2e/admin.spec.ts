import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { refusedRequest } from './support/errors';
import { ADMIN, apiFromFrame, expectSavedFlag, expectSizedToParent, itemTexts, PANEL, panelReady, restoreDefaultSettings, typeInto } from './support/app';
import { README_TAG, readmeScreenshot } from './support/screenshots';

/** The reference app's admin page inside the emulated Jira settings, and its effect on the panel. */

test.describe('the admin page', () => {
  test('a site admin saves a default checklist and the panel applies it @phone', { tag: README_TAG }, async ({ emu, page, product }, testInfo) => {
    await product.module(ADMIN);
    const frame = product.frame(ADMIN);
    await expect(frame.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    await expect(frame.getByTestId('admin-license')).toHaveAttribute('data-license', 'active');
    await product.resized(ADMIN);
    await frame.getByTestId('admin-template-enabled--hidden-checkbox').check();
    await frame.getByTestId('admin-template-add').click();
    await typeInto(frame.getByTestId('admin-template-item-0'), 'Definition of done reviewed');
    await frame.getByTestId('admin-save').click();
    await expectSavedFlag(page);
    // A full-page module: the product gives it the rest of the window (AP.js option sizeToParent).
    await expectSizedToParent(page, product.iframe(ADMIN));
    // From the top of the page and of the (sized-to-parent) iframe, with the product's flag.
    await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => window.scrollTo(0, 0));
    await readmeScreenshot(testInfo, page.locator('body'), 'admin-page.png');
    // An issue without a checklist gets the template.
    await product.issue('DEMO-8', { user: 'user' });
    const panel = product.frame(PANEL);
    await panelReady(panel);
    expect(await itemTexts(panel)).toEqual(['Definition of done reviewed']);
    // Every product call the app made was authenticated (JWT/qsh or OAuth) to the emulator's satisfaction.
    expect(emu.restLog.list().filter((r) => r.status === 401)).toEqual([]);
    await product.module(ADMIN);
    await expect(frame.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    await restoreDefaultSettings(frame);
  });

  test('limiting the panel to listed projects hides it elsewhere', async ({ page, product }) => {
    await product.module(ADMIN);
    const frame = product.frame(ADMIN);
    await expect(frame.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    // AP.js connected (the saved flag goes through it).
    await product.resized(ADMIN);
    await frame.getByTestId('admin-projects-listed').check();
    await typeInto(frame.getByTestId('admin-projects-keys'), 'DEMO');
    await frame.getByTestId('admin-save').click();
    await expectSavedFlag(page);
    await product.issue('OPS-2');
    await expect(product.frame(PANEL).getByTestId('panel-disabled')).toBeVisible({ timeout: 20_000 });
    await product.issue('DEMO-2');
    await panelReady(product.frame(PANEL));
    // Back to all projects for the other tests of this worker.
    await product.module(ADMIN);
    await expect(frame.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    await restoreDefaultSettings(frame);
  });

  test('an ordinary user cannot reach or change the settings', async ({ page, product, pageErrors }) => {
    // The product does not show admin pages to non-admins...
    await product.module(ADMIN, { user: 'user' });
    await expect(page.getByTestId('admin-denied')).toBeVisible();
    await expect(product.iframe(ADMIN)).toHaveCount(0);
    // ...and when the iframe is loaded anyway, the app itself refuses to edit.
    await product.module(ADMIN, { user: 'user' }, { force: true });
    const frame = product.frame(ADMIN);
    await expect(frame.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    await expect(frame.getByTestId('admin-readonly-notice')).toBeVisible();
    await expect(frame.getByTestId('admin-save')).toBeDisabled();
    const overview = await apiFromFrame(frame, 'GET', '/api/settings');
    const put = await apiFromFrame(frame, 'PUT', '/api/settings', { version: overview.body.version, settings: overview.body.settings });
    expect(put.status).toBe(403);
    expect(put.body.error?.code).toBe('ADMIN_REQUIRED');
    // The issue panel's token of an ordinary user cannot write settings either.
    await product.issue('DEMO-1', { user: 'user' });
    await panelReady(product.frame(PANEL));
    const fromPanel = await apiFromFrame(product.frame(PANEL), 'PUT', '/api/settings', { version: overview.body.version, settings: overview.body.settings });
    expect(fromPanel.status).toBe(403);
    // The two refusals this test provoked (Chromium logs each one).
    pageErrors.acknowledge(refusedRequest(403));
  });

  test('renders useful content while the product is down', async ({ emu, product }) => {
    // The app trusts a site-admin answer for a minute: an earlier test of this worker may have left
    // one. A lifecycle event makes it forget what it cached about the site, as a reinstall would.
    await emu.disable();
    await emu.enable();
    emu.setFaults({ refuse: true });
    await product.module(ADMIN);
    const frame = product.frame(ADMIN);
    // What the app has (the signed license, the summary), a quiet note on what is missing, and
    // editing held back until the admin right can be confirmed; never the error screen.
    await expect(frame.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    await expect(frame.getByTestId('admin-degraded')).toHaveAttribute('data-parts', /(^| )admin( |$)/);
    await expect(frame.getByTestId('admin-license')).toHaveAttribute('data-license', 'active');
    await expect(frame.getByTestId('admin-summary-items')).toHaveText(/\d/);
    await expect(frame.getByTestId('admin-readonly-notice')).toBeVisible();
    await expect(frame.getByTestId('admin-error')).toHaveCount(0);
  });

  test('has no serious or critical accessibility violations', async ({ page, product }) => {
    await product.module(ADMIN);
    await expect(product.frame(ADMIN).getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
