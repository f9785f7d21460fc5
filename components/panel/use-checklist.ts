'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChecklistDto, ItemDto, SyncState } from '@/lib/checklists/schema';
import type { Preferences } from '@/lib/preferences/schema';
import { ApiError, takePrefetched, type ApiClient } from '../connect/api-client';
import type { Bootstrap } from '../connect/bootstrap';

/**
 * The panel's state and its operations. Changes show at once (optimistic) and are reconciled
 * with the server's answer: a 409 replaces the item with the version the server sent, any other
 * failure restores what was there and says why.
 */
export type Checklist = ChecklistDto & { readOnly: boolean };
export type Notice = { kind: 'conflict' | 'full' | 'tooLong' | 'session' | 'generic' } | null;

interface ItemResult {
  item: ItemDto;
  people: Record<string, string | null>;
  degraded?: ChecklistDto['degraded'];
  sync?: SyncState;
}

/**
 * When to ask again whether Jira has the change: soon after a write (its coalescing delay), at
 * the limit's reset while Jira limits the site (the browser's clock may be off: kept within
 * 2 s..60 s). At most MAX_SYNC_CHECKS in a row, then the next reload or write asks.
 */
const MAX_SYNC_CHECKS = 60;
function nextSyncCheckMs(sync: SyncState): number {
  if (sync.state !== 'limited') return 3_000;
  const until = Date.parse(sync.until);
  return Math.min(60_000, Math.max(2_000, (Number.isNaN(until) ? 0 : until - Date.now()) + 1_500));
}

export function useChecklist(api: ApiClient | null, boot: Bootstrap | null) {
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [data, setData] = useState<Checklist | null>(null);
  const [prefs, setPrefs] = useState<Preferences>({ hideCompleted: false });
  const [notice, setNotice] = useState<Notice>(null);
  const dataRef = useRef<Checklist | null>(null);
  dataRef.current = data;

  const issueId = boot?.issue?.id;
  const path = issueId ? `/api/checklists/${encodeURIComponent(issueId)}` : '';

  const load = useCallback(async () => {
    if (!api || !boot || !issueId) return;
    setStatus('loading');
    try {
      const query = boot.project?.key ? `?projectKey=${encodeURIComponent(boot.project.key)}` : '';
      const pre = takePrefetched<Checklist>('checklist');
      const first = pre ? await pre.catch(() => undefined) : undefined;
      const checklist = first?.status === 200 ? first.body : await api.get<Checklist>(`${path}${query}`);
      const prePrefs = takePrefetched<Preferences>('preferences');
      const p = await (prePrefs ?? Promise.resolve(undefined)).catch(() => undefined);
      setPrefs(p?.status === 200 ? p.body : await api.get<Preferences>('/api/preferences').catch(() => ({ hideCompleted: false })));
      setData(checklist);
      setStatus('ready');
    } catch {
      setStatus('error');
    }
  }, [api, boot, issueId, path]);

  useEffect(() => {
    void load();
  }, [load]);

  // Names Jira did not give in time are looked up in the background: re-read quietly (2 s, 4 s,
  // 8 s) and take only the names from it, so nothing the user did meanwhile is undone.
  const retries = useRef(0);
  const degraded = data?.degraded?.length ?? 0;
  useEffect(() => {
    if (!api || !degraded || retries.current >= 3 || !path) return;
    const timer = setTimeout(() => {
      retries.current += 1;
      const query = boot?.project?.key ? `?projectKey=${encodeURIComponent(boot.project.key)}` : '';
      api.get<Checklist>(`${path}${query}`).then(
        (fresh) =>
          setData((d) => {
            if (!d) return d;
            const { degraded: _was, ...rest } = d;
            return { ...rest, people: { ...d.people, ...fresh.people }, ...(fresh.degraded?.length ? { degraded: fresh.degraded } : {}) };
          }),
        () => undefined,
      );
    }, 2000 * 2 ** retries.current);
    return () => clearTimeout(timer);
  }, [api, boot, degraded, path, data]);

  // While Jira does not have the latest change (waiting its turn, or held back by a rate limit),
  // ask again now and then and take only the sync state, so the notice goes once it has synced.
  const syncChecks = useRef(0);
  const [syncTick, setSyncTick] = useState(0);
  const sync = data?.sync;
  // The effect waits on the state, not on the object: a re-read with the same state keeps the timer.
  const syncKey = sync ? `${sync.state}|${sync.state === 'limited' ? `${sync.until}|${sync.pending}` : ''}` : '';
  useEffect(() => {
    const current = dataRef.current?.sync;
    if (!api || !path || !syncKey || !current || current.state === 'synced' || syncChecks.current >= MAX_SYNC_CHECKS) return;
    const timer = setTimeout(() => {
      syncChecks.current += 1;
      const query = boot?.project?.key ? `?projectKey=${encodeURIComponent(boot.project.key)}` : '';
      api.get<Checklist>(`${path}${query}`).then(
        (fresh) => setData((d) => (d && fresh.sync ? { ...d, sync: fresh.sync } : d)),
        () => undefined,
      ).finally(() => setSyncTick((n) => n + 1));
    }, nextSyncCheckMs(current));
    return () => clearTimeout(timer);
  }, [api, boot, path, syncKey, syncTick]);
  const syncChanged = (next: SyncState | undefined) => {
    if (!next) return;
    syncChecks.current = 0;
    setData((d) => (d ? { ...d, sync: next } : d));
  };

  // A write's answer brings the names it could get; a name Jira did not give in time shows the notice.
  const patchItems = (fn: (items: ItemDto[]) => ItemDto[], r?: Pick<ItemResult, 'people' | 'degraded'>) =>
    setData((d) => {
      if (!d) return d;
      const degraded = [...new Set([...(d.degraded ?? []), ...(r?.degraded ?? [])])];
      return { ...d, items: fn(d.items), people: { ...d.people, ...r?.people }, ...(degraded.length ? { degraded } : {}) };
    });
  const replace = (item: ItemDto, r?: Pick<ItemResult, 'people' | 'degraded'>) => patchItems((items) => items.map((i) => (i.id === item.id ? item : i)), r);

  const fail = (err: unknown, before: ItemDto[] | null) => {
    if (err instanceof ApiError && err.status === 409 && err.body.current) {
      replace(err.body.current as ItemDto);
      setNotice({ kind: 'conflict' });
      return;
    }
    if (before) setData((d) => (d ? { ...d, items: before } : d));
    if (err instanceof ApiError && err.status === 404) return void load();
    if (err instanceof ApiError && err.status === 422 && /items/.test(JSON.stringify(err.body.error?.issues ?? ''))) setNotice({ kind: 'full' });
    else if (err instanceof ApiError && err.status === 401) setNotice({ kind: 'session' });
    else setNotice({ kind: 'generic' });
  };

  const add = async (text: string): Promise<boolean> => {
    if (!api) return false;
    setNotice(null);
    try {
      const r = await api.post<ItemResult>(`${path}/items`, { text });
      patchItems((items) => [...items, r.item], r);
      syncChanged(r.sync);
      return true;
    } catch (err) {
      fail(err, null);
      return false;
    }
  };

  const update = async (item: ItemDto, change: { text?: string; checked?: boolean }) => {
    if (!api) return;
    setNotice(null);
    const before = dataRef.current?.items ?? null;
    replace({ ...item, ...change });
    try {
      const r = await api.patch<ItemResult>(`${path}/items/${item.id}`, { version: item.version, ...change });
      replace(r.item, r);
      syncChanged(r.sync);
    } catch (err) {
      fail(err, before);
    }
  };

  /** Moves `item` to sit directly before (up) or after (down) `neighbour`. */
  const move = async (item: ItemDto, neighbour: ItemDto, direction: 'up' | 'down') => {
    if (!api || !dataRef.current) return;
    setNotice(null);
    const before = dataRef.current.items;
    const rest = before.filter((i) => i.id !== item.id);
    const at = rest.findIndex((i) => i.id === neighbour.id) + (direction === 'down' ? 1 : 0);
    const next = [...rest.slice(0, at), item, ...rest.slice(at)];
    setData((d) => (d ? { ...d, items: next } : d));
    try {
      await api.post<ItemResult>(`${path}/items/${item.id}/move`, { afterId: at === 0 ? null : next[at - 1]!.id });
    } catch (err) {
      fail(err, before);
    }
  };

  const remove = async (item: ItemDto) => {
    if (!api) return;
    setNotice(null);
    const before = dataRef.current?.items ?? null;
    patchItems((items) => items.filter((i) => i.id !== item.id));
    try {
      await api.del(`${path}/items/${item.id}?version=${item.version}`);
      // 204 carries no body: ask where the sync stands now (the delete changed the counts).
      const query = boot?.project?.key ? `?projectKey=${encodeURIComponent(boot.project.key)}` : '';
      void api.get<Checklist>(`${path}${query}`).then((fresh) => syncChanged(fresh.sync), () => undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body.current) {
        // Someone changed it meanwhile: put the current version back rather than delete their edit.
        setData((d) => (d && before ? { ...d, items: before.map((i) => (i.id === item.id ? (err.body.current as ItemDto) : i)) } : d));
        setNotice({ kind: 'conflict' });
      } else if (!(err instanceof ApiError && err.status === 404)) fail(err, before);
    }
  };

  const setHideCompleted = async (hideCompleted: boolean) => {
    setPrefs((p) => ({ ...p, hideCompleted }));
    // Read-only users still get the view they asked for; it is only remembered with a license.
    if (!api || dataRef.current?.readOnly) return;
    await api.put('/api/preferences', { hideCompleted }).catch(() => undefined);
  };

  return { status, data, prefs, notice, setNotice, load, add, update, move, remove, setHideCompleted };
}
