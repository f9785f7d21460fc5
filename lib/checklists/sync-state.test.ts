import { describe, expect, it } from 'vitest';
import { createSyncState, type SyncStateDeps } from './sync-state';

/** What the checklist API tells the panel about Jira's copy, from the app's own records only. */
const NOW = Date.parse('2026-12-03T10:15:00Z');
const RESET = Date.parse('2026-12-03T11:00:00Z');
const DEFERRED = 'RateLimitDeferral: product rate limited (site, 429) until 2026-12-03T11:00:00.000Z';

function reader(writes: Awaited<ReturnType<SyncStateDeps['unfinishedWrites']>>, pause: Awaited<ReturnType<SyncStateDeps['sitePause']>> = null) {
  const asked: string[] = [];
  const read = createSyncState({
    unfinishedWrites: async (ck, issue) => (asked.push(`${ck}/${issue}`), writes),
    sitePause: async () => pause,
    now: () => NOW,
  });
  return { read, asked };
}

describe('the sync state of an issue', () => {
  it('synced: nothing waits and Jira is not limiting the site', async () => {
    const { read, asked } = reader([]);
    expect(await read('site-a', '10001')).toEqual({ state: 'synced' });
    expect(asked).toEqual(['site-a/10001']);
  });

  it('pending: a change waits its turn (coalescing delay, or a retry after a failure)', async () => {
    expect(await reader([{ status: 'pending', runAt: NOW + 2_000, lastError: null }]).read('s', '1')).toEqual({ state: 'pending' });
    expect(await reader([{ status: 'pending', runAt: NOW + 2_000, lastError: 'ProductApiError: product answered 500' }]).read('s', '1')).toEqual({ state: 'pending' });
  });

  it("limited by the site's quota, with or without a change of this issue waiting", async () => {
    const pause = { limit: 'site' as const, until: RESET };
    expect(await reader([], pause).read('s', '1')).toEqual({ state: 'limited', until: '2026-12-03T11:00:00.000Z', limit: 'site', pending: false });
    expect(await reader([{ status: 'pending', runAt: NOW + 2_000, lastError: null }], pause).read('s', '1')).toEqual({ state: 'limited', until: '2026-12-03T11:00:00.000Z', limit: 'site', pending: true });
  });

  it('limited by a deferred write of this issue, even between the pause ending and the write running again', async () => {
    expect(await reader([{ status: 'pending', runAt: RESET, lastError: DEFERRED }]).read('s', '1')).toEqual({ state: 'limited', until: '2026-12-03T11:00:00.000Z', limit: 'site', pending: true });
    // Due, or running again: still limited until it is written.
    expect(await reader([{ status: 'pending', runAt: NOW - 500, lastError: DEFERRED }]).read('s', '1')).toEqual({ state: 'limited', until: new Date(NOW).toISOString(), limit: 'site', pending: true });
    expect(await reader([{ status: 'running', runAt: NOW + 60_000, lastError: DEFERRED }]).read('s', '1')).toMatchObject({ state: 'limited', until: new Date(NOW).toISOString() });
    const perIssue = 'RateLimitDeferral: product rate limited (issue, 429) until 2026-12-03T10:15:10.000Z';
    expect(await reader([{ status: 'pending', runAt: NOW + 10_000, lastError: perIssue }]).read('s', '1')).toMatchObject({ state: 'limited', limit: 'issue' });
  });

  it("the app-wide pool counts like the site's quota (sitePause reports only those two, never an endpoint's burst)", async () => {
    expect(await reader([], { limit: 'app', until: RESET }).read('s', '1')).toMatchObject({ state: 'limited', limit: 'app', pending: false });
  });
});
