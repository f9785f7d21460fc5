import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ADMIN, addItem, apiFromFrame, PANEL, panelReady, typeInto } from './support/app';
import type { Emulator } from '../emulator/lib/emulator';

/**
 * What Jira tells the app, and what Jira can find about the app's data: deleting an issue in the
 * emulated Jira deletes its checklist (signed webhook, durable job); finishing a checklist takes
 * the issue out of a JQL search over the app's issue property; an outage of the product while
 * people edit only delays the property.
 */

const PROPERTY = 'com.example.connect-checklists.checklist';

function property(emu: Emulator, issueId: string): { total: number; done: number; remaining: number; complete: boolean } | undefined {
  return emu.issues.store.get(emu.site('jira').clientKey, issueId, PROPERTY) as never;
}

/** Runs a JQL search on the emulator's control page, as a person would; returns the message. */
async function searchOnControlPage(page: Page, emu: Emulator, jql: string): Promise<string> {
  await page.goto(`${emu.url}/_emu`);
  await typeInto(page.getByTestId('issues-jql'), jql);
  await page.getByTestId('issues-search').click();
  return (await page.getByTestId('ctl-msg').textContent()) ?? '';
}

test.describe('webhooks and JQL-searchable checklists', () => {
  // Each test drives the panel, another page of the product and the app's background jobs.
  test.slow();

  test('deleting an issue in Jira deletes its checklist, and the export no longer has it', async ({ page, emu, product }) => {
    await product.issue('DEMO-5');
    const panel = product.frame(PANEL);
    await panelReady(panel);
    await addItem(panel, 'Reproduce the filter bug');
    await addItem(panel, 'Write the fix');

    await product.module(ADMIN);
    const admin = product.frame(ADMIN);
    await expect(admin.getByTestId('admin-ready')).toBeVisible({ timeout: 20_000 });
    const exported = async () => (await apiFromFrame(admin, 'GET', '/api/admin/data/export')).body as unknown as { checklistItems: { issueId: string; text: string }[]; checklistStates: { issueId: string }[] };
    expect((await exported()).checklistItems.filter((i) => i.issueId === '10005').map((i) => i.text).sort()).toEqual(['Reproduce the filter bug', 'Write the fix']);

    // In another tab, the site admin deletes the issue on the emulator's control page.
    const control = await page.context().newPage();
    await control.goto(`${emu.url}/_emu`);
    await control.getByTestId('issues-delete-issue').selectOption('DEMO-5');
    await control.getByTestId('issues-delete').click();
    await expect(control.getByTestId('ctl-msg')).toHaveText('delete DEMO-5: jira:issue_deleted 204 delivered');
    await expect(control.getByTestId('issues-deliveries')).toContainText('/webhooks/issue-deleted?issueId=10005');

    await expect.poll(async () => (await exported()).checklistStates.some((s) => s.issueId === '10005'), { timeout: 20_000 }).toBe(false);
    expect((await exported()).checklistItems.filter((i) => i.issueId === '10005')).toEqual([]);
    await control.close();
  });

  test('completing a checklist takes the issue out of the JQL search for unfinished checklists', async ({ page, emu, product }) => {
    await product.issue('DEMO-3');
    const panel = product.frame(PANEL);
    await panelReady(panel);
    await addItem(panel, 'Outline the guide');
    await addItem(panel, 'Ask for a review');
    const progress = panel.getByTestId('checklist-progress');
    await expect.poll(() => property(emu, '10003')?.remaining, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await searchOnControlPage(page, emu, 'checklistRemaining > 0')).toContain('DEMO-3');

    await product.issue('DEMO-3');
    await panelReady(panel);
    const boxes = panel.getByTestId('checklist-item').getByRole('checkbox');
    for (let i = 0; i < (await boxes.count()); i++) {
      if (!(await boxes.nth(i).isChecked())) await boxes.nth(i).check();
    }
    const total = await progress.getAttribute('data-total');
    await expect(progress).toHaveAttribute('data-done', total!);
    await expect.poll(() => property(emu, '10003')?.complete, { timeout: 20_000 }).toBe(true);
    const unfinished = await searchOnControlPage(page, emu, 'checklistRemaining > 0');
    expect(unfinished).not.toContain('DEMO-3');
    expect(await searchOnControlPage(page, emu, 'checklistComplete = true')).toContain('DEMO-3');
  });

  test('the issue property catches up when the product is back after an outage', async ({ emu, product }) => {
    await product.issue('DEMO-4');
    const panel = product.frame(PANEL);
    await panelReady(panel);
    await addItem(panel, 'Before the outage');
    await expect.poll(() => property(emu, '10004')?.total, { timeout: 20_000 }).toBeGreaterThan(0);

    emu.restLog.clear();
    emu.setFaults({ refuse: true });
    await addItem(panel, 'During the outage');
    const last = panel.getByTestId('checklist-item').last();
    await last.getByRole('checkbox').check();
    await expect(last).toHaveAttribute('data-checked', 'true');
    const progress = panel.getByTestId('checklist-progress');
    const want = { total: Number(await progress.getAttribute('data-total')), done: Number(await progress.getAttribute('data-done')) };
    // The app tried to write while Jira was down, and could not.
    await expect.poll(() => emu.restLog.list().some((r) => r.method === 'PUT' && r.path.includes('/issue/10004/properties/') && r.fault === 'refuse'), { timeout: 20_000 }).toBe(true);
    expect(property(emu, '10004')).not.toMatchObject(want);

    emu.setFaults({ refuse: false });
    await expect.poll(() => property(emu, '10004'), { timeout: 30_000 }).toMatchObject(want);
  });
});
