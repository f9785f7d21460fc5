import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { refusedRequest } from './support/errors';
import { addItem, apiFromFrame, expectFitsContent, GLANCE, itemTexts, PANEL, panelReady } from './support/app';
import { README_TAG, readmeScreenshot } from './support/screenshots';

/** The reference app's issue panel, as users see it inside the emulated Jira issue view. */

test.describe('the issue panel', () => {
  test('appears in the issue view and resizes with its content @phone', { tag: README_TAG }, async ({ product }, testInfo) => {
    await product.issue('DEMO-1');
    const frame = product.frame(PANEL);
    await panelReady(frame);
    await product.resized(PANEL);
    await expectFitsContent(frame);
    const before = Number(await product.iframe(PANEL).getAttribute('data-content-height'));
    for (const text of ['Cut the release branch', 'Update the changelog', 'Run the smoke tests']) await addItem(frame, text);
    await expect.poll(async () => Number(await product.iframe(PANEL).getAttribute('data-content-height'))).toBeGreaterThan(before + 40);
    await expectFitsContent(frame);
    await frame.getByTestId('checklist-item').first().getByRole('checkbox').check();
    await expect(frame.getByTestId('checklist-progress')).toHaveAttribute('data-done', '1');
    await expectFitsContent(frame);
    await readmeScreenshot(testInfo, product.iframe(PANEL).page().locator('main'), 'issue-panel.png');
  });

  test('opens as an issue glance too', async ({ page, product }) => {
    await product.issue('DEMO-1');
    await page.getByTestId(`glance-toggle-${GLANCE}`).click();
    await panelReady(product.frame(GLANCE));
    await product.resized(GLANCE);
  });

  // `module` is the descriptor's module name, which the product translates through the app's
  // Connect translation files (fetched at install).
  const LOCALES = [
    { locale: 'en', lang: 'en', add: 'Add', module: 'Checklist' },
    { locale: 'de', lang: 'de', add: 'Hinzufügen', module: 'Checkliste' },
    { locale: 'fr', lang: 'fr', add: 'Ajouter', module: 'Liste de contrôle' },
    { locale: 'es', lang: 'es', add: 'Añadir', module: 'Lista de comprobación' },
    { locale: 'ja', lang: 'ja', add: '追加', module: 'チェックリスト' },
    { locale: 'pt-BR', lang: 'pt-BR', add: 'Adicionar', module: 'Checklist' },
  ] as const;
  for (const l of LOCALES) {
    test(`speaks ${l.locale}`, async ({ page, product }) => {
      await product.issue('DEMO-2', { locale: l.locale });
      const frame = product.frame(PANEL);
      await panelReady(frame);
      await expect(frame.locator('html')).toHaveAttribute('lang', l.lang);
      await expect(frame.getByTestId('checklist-add-submit')).toHaveText(l.add);
      await expect(page.locator(`#h-${PANEL}`)).toHaveText(l.module);
    });
  }

  test('lic=none is read-only, explains why, and the server refuses writes', async ({ product, pageErrors }) => {
    await product.issue('DEMO-1', { license: 'none' });
    const frame = product.frame(PANEL);
    const ready = await panelReady(frame);
    await expect(ready).toHaveAttribute('data-readonly', 'true');
    await expect(frame.getByTestId('panel-readonly')).toBeVisible();
    await expect(frame.getByTestId('panel-readonly-link')).toHaveAttribute('href', /\S/);
    await expect(frame.getByTestId('checklist-add-input')).toHaveCount(0);
    const res = await apiFromFrame(frame, 'POST', '/api/checklists/10001/items', { text: 'sneaky' });
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('LICENSE_REQUIRED');
    // The refusal this test provoked (Chromium logs it).
    pageErrors.acknowledge(refusedRequest(403));
  });

  test('lic absent follows the development policy (licensed)', async ({ product }) => {
    await product.issue('DEMO-3', { license: 'absent' });
    const frame = product.frame(PANEL);
    await expect(await panelReady(frame)).toHaveAttribute('data-readonly', 'false');
    await addItem(frame, 'Works without lic in development');
  });

  test('works with the keyboard: add, check, reorder', async ({ page, product }) => {
    await product.issue('DEMO-4');
    const frame = product.frame(PANEL);
    await panelReady(frame);
    await frame.getByTestId('checklist-add-input').focus();
    for (const text of ['First step', 'Second step']) {
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
      await expect(frame.getByTestId('checklist-item-text').filter({ hasText: text })).toBeVisible();
    }
    // The add field keeps focus for the next item.
    await expect(frame.getByTestId('checklist-add-input')).toBeFocused();
    const first = frame.getByTestId('checklist-item').first();
    await first.getByRole('checkbox').focus();
    await page.keyboard.press('Space');
    await expect(first).toHaveAttribute('data-checked', 'true');
    // Alt+ArrowDown moves the focused row; focus stays with it.
    await first.getByRole('checkbox').focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => itemTexts(frame)).toEqual(['Second step', 'First step']);
    const moved = frame.getByTestId('checklist-item').nth(1);
    await expect(moved).toContainText('First step');
    await expect.poll(() => moved.evaluate((li) => li.contains(document.activeElement))).toBe(true);
  });

  test('keeps its data across uninstall and reinstall', async ({ emu, product }) => {
    await product.issue('DEMO-5');
    const frame = product.frame(PANEL);
    await panelReady(frame);
    await addItem(frame, 'Survives a reinstall');
    expect((await emu.uninstall()).every((r) => r.ok)).toBe(true);
    expect((await emu.install()).every((r) => r.ok)).toBe(true);
    await product.issue('DEMO-5');
    await panelReady(frame);
    expect(await itemTexts(frame)).toContain('Survives a reinstall');
  });

  test('stays useful when the product is slow', async ({ emu, product }) => {
    await product.issue('DEMO-6');
    await panelReady(product.frame(PANEL));
    await addItem(product.frame(PANEL), 'Written before the slowdown');
    emu.setFaults({ latencyMs: 4000 });
    const started = Date.now();
    await product.issue('DEMO-6');
    await panelReady(product.frame(PANEL));
    expect(await itemTexts(product.frame(PANEL))).toContain('Written before the slowdown');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('stays useful when the product is down', async ({ emu, product }) => {
    await product.issue('DEMO-7');
    await panelReady(product.frame(PANEL));
    await addItem(product.frame(PANEL), 'Written before the outage');
    emu.setFaults({ refuse: true });
    await product.issue('DEMO-7');
    const frame = product.frame(PANEL);
    await panelReady(frame);
    expect(await itemTexts(frame)).toContain('Written before the outage');
    await addItem(frame, 'Written during the outage');
  });

  test('has no serious or critical accessibility violations', async ({ page, product }) => {
    await product.issue('DEMO-1');
    const frame = product.frame(PANEL);
    await panelReady(frame);
    if ((await frame.getByTestId('checklist-item').count()) === 0) await addItem(frame, 'Something to check');
    const results = await new AxeBuilder({ page }).include(`iframe[data-testid="ac-frame-${PANEL}"]`).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
