import type { FrameLocator } from '@playwright/test';
import { expect, test } from './fixtures';
import { addItem, itemTexts, PANEL, panelReady } from './support/app';

/**
 * Issue 15, "the state is visible": while Jira limits the site, the panel stays usable (its data
 * is the app's own; names come from the cache), edits are saved at once, the panel says "Jira is
 * limiting requests; your change is saved and will sync", and after the reset the issue property
 * (what JQL searches) catches up with no change lost, and the notice goes.
 *
 * The limit is set through the emulator's control API as a fault that answers every product call
 * exactly as an exhausted site quota does (429, `RateLimit-Reason: jira-quota-tenant-based`,
 * `Retry-After`, `X-RateLimit-Reset`) until it is cleared. The emulator's own quota would reset
 * only at the top of the UTC hour, and the app rightly sends nothing before the reset it was
 * given; the fault's reset is 3 s ahead each time, so the limit lasts exactly as long as the test
 * keeps it, and the app's waiting is the real one (nothing is shortened in the app). Every wait
 * below polls for the event itself.
 */

const ISSUE = { key: 'DEMO-7', id: '10007' };
const PROP = 'com.example.connect-checklists.checklist';
const NOTICE = 'panel-sync-limited';

async function progress(frame: FrameLocator): Promise<{ total: number; done: number; remaining: number; complete: boolean }> {
  const p = frame.getByTestId('checklist-progress');
  const total = Number(await p.getAttribute('data-total'));
  const done = Number(await p.getAttribute('data-done'));
  return { total, done, remaining: total - done, complete: total > 0 && done === total };
}

test.describe('when Jira rate limits the site', () => {
  test('the panel stays usable, edits are saved and shown, the notice says so, and everything syncs after the reset', async ({ emu, product }) => {
    const control = (path: string, method: string, body?: unknown) =>
      fetch(`${emu.url}/_emu/api/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const property = async () => ((await (await fetch(`${emu.url}/_emu/ext/issues/properties?issue=${ISSUE.key}`)).json()) as { properties: Record<string, unknown> }).properties[PROP];
    const propertyWrites = (since: number) => emu.restLog.list().filter((r) => r.method === 'PUT' && r.path.startsWith(`/rest/api/3/issue/${ISSUE.id}/properties`) && Date.parse(r.at) >= since);

    await product.issue(ISSUE.key);
    const frame = product.frame(PANEL);
    await panelReady(frame);
    await addItem(frame, 'Written before the limit');
    const synced = await progress(frame);
    await expect.poll(property, { timeout: 30_000 }).toEqual(synced);
    await expect(frame.getByTestId(NOTICE)).toHaveCount(0);

    // Jira's quota for the site is spent. (The write above was answered before this moment.)
    const limitedFrom = Date.now();
    const set = await control('faults', 'POST', { rateLimit: { reason: 'jira-quota-tenant-based', retryAfterSeconds: 3 } });
    expect(set.status).toBe(200);

    // An edit is saved at once; its write to Jira meets the limit and waits, and the panel says so.
    await addItem(frame, 'Written while Jira limits the site');
    const notice = frame.getByTestId(NOTICE);
    await expect(notice).toBeVisible({ timeout: 30_000 });
    await expect(notice).toHaveAttribute('data-limit', 'site');
    await expect(notice).toHaveText('Jira is limiting requests; your change is saved and will sync.');

    // Opened again: it loads from the app's own data, shows every item, and the notice.
    await product.issue(ISSUE.key);
    await panelReady(frame);
    expect(await itemTexts(frame)).toEqual(expect.arrayContaining(['Written before the limit', 'Written while Jira limits the site']));
    await expect(notice).toBeVisible();
    await expect(notice).toHaveAttribute('data-pending', 'true');

    // Another edit while limited: saved (a reload shows it), still waiting for Jira.
    const row = frame.getByTestId('checklist-item').filter({ hasText: 'Written before the limit' });
    await row.getByRole('checkbox').check();
    await expect(row).toHaveAttribute('data-checked', 'true');
    await expect(frame.getByTestId('checklist-progress')).toHaveAttribute('data-done', String(synced.done + 1));
    await product.issue(ISSUE.key);
    await panelReady(frame);
    await expect(frame.getByTestId('checklist-item').filter({ hasText: 'Written before the limit' })).toHaveAttribute('data-checked', 'true');
    await expect(notice).toBeVisible();
    const changed = await progress(frame);
    expect(changed).toEqual({ total: synced.total + 1, done: synced.done + 1, remaining: synced.remaining, complete: false });

    // Jira has none of it yet: every property write since the limit was refused, none accepted.
    const during = propertyWrites(limitedFrom);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((w) => w.status !== 429)).toEqual([]);
    expect(await property()).toEqual(synced);

    // The limit is lifted: the waiting write goes out after the reset it was given, with the latest state.
    const cleared = await control('faults', 'DELETE');
    expect(cleared.status).toBe(200);
    await expect.poll(property, { timeout: 60_000 }).toEqual(changed);
    // The open panel learns it on its own; a fresh view has no notice either.
    await expect(notice).toHaveCount(0, { timeout: 30_000 });
    await product.issue(ISSUE.key);
    await panelReady(frame);
    await expect(notice).toHaveCount(0);
    expect(await progress(frame)).toEqual(changed);
  });
});
