import 'server-only';
import { deferredByRateLimit, type JobRecord } from 'atlassian-connect-next';
import type { SyncState } from './schema';

/**
 * Whether an issue's checklist is in step with Jira, from what the app knows without asking
 * Jira (a read of the app's own data never depends on the product): the issue's property writes
 * still waiting in the job queue (and whether a rate limit deferred them), and the rate-limit
 * pause the shared state holds for the site or the app-wide pool.
 *
 * Only the site's quota and the app-wide pool count as "Jira is limiting" on their own: an
 * endpoint's burst pause lasts a second and touches nothing the panel shows. A write of this
 * issue that a limit of any kind deferred does count, until it has been written.
 */
export interface SyncStateDeps {
  /**
   * The issue's property writes not finished yet (waiting or running). Asked on every read: the
   * composition answers it from the checklist read cache, which the job table's triggers keep
   * current (a query per panel read would cost the read path the round trip the cache saved).
   */
  unfinishedWrites(clientKey: string, issueId: string): Promise<Pick<JobRecord, 'status' | 'runAt' | 'lastError'>[]>;
  /** The site's (or the app-wide) rate-limit pause in force now, if any. */
  sitePause(clientKey: string): Promise<{ limit: 'burst' | 'issue' | 'site' | 'app'; until: number } | null>;
  now?: () => number;
}

/** `limit` of a deferred write, from its `lastError` ("RateLimitDeferral: product rate limited (site, 429) until …"). */
function deferralLimit(lastError: string | null): 'burst' | 'issue' | 'site' | 'app' {
  const m = /rate limited \((burst|issue|site|app)\b/.exec(lastError ?? '');
  return (m?.[1] as 'burst' | 'issue' | 'site' | 'app' | undefined) ?? 'site';
}

export function createSyncState(d: SyncStateDeps) {
  const now = d.now ?? Date.now;
  return async function syncState(clientKey: string, issueId: string): Promise<SyncState> {
    const [writes, pause] = await Promise.all([d.unfinishedWrites(clientKey, issueId), d.sitePause(clientKey)]);
    const t = now();
    const deferred = writes.filter(deferredByRateLimit);
    const pending = writes.length > 0;
    // A deferred write that is running again (or about to) keeps the notice until it is written: no flicker at each reset.
    const deferredUntil = deferred.length ? Math.max(...deferred.map((w) => (w.status === 'running' ? t : w.runAt))) : null;
    if (!pause && deferredUntil === null) return pending ? { state: 'pending' } : { state: 'synced' };
    const until = Math.max(pause?.until ?? 0, deferredUntil ?? 0, t);
    const limit = pause && pause.until >= (deferredUntil ?? 0) ? pause.limit : deferralLimit(deferred.at(-1)?.lastError ?? null);
    return { state: 'limited', until: new Date(until).toISOString(), limit, pending };
  };
}

export type SyncStateReader = ReturnType<typeof createSyncState>;
