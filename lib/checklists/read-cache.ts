import { LRUCache } from 'lru-cache';

/**
 * Checklists read recently, in memory, so a panel's read costs no database round trip (on the
 * embedded database a query is CPU on the request's own thread: most of an API read's time,
 * issue 13). Correct across instances because every change is announced by the database itself:
 * triggers on the checklist tables NOTIFY `app_checklist_changed` with the issue on commit
 * (prisma/migrations/20261205000000_checklist_change_notify), whoever wrote, and every instance
 * LISTENs (Database.listen) and drops that issue here. This instance's own writes drop it at
 * once as well (the repository calls `changed` after each write), so a reload right after an
 * edit reads the edit. Another instance sees it once the notification arrives (milliseconds
 * after the commit).
 *
 * The issue's unfinished property writes (what the panel's sync state is made of) are kept the
 * same way: the job table's triggers announce every change to an issue-property job
 * (prisma/migrations/20261206000000_issue_property_writes_notify), and only that part is dropped.
 *
 * Safe when the announcements may be missed: while the LISTEN connection is down nothing is
 * cached and every read goes to the database; when it comes back the cache starts empty. A read
 * that raced a change (began before, ended after) is answered but not kept. Entries also expire
 * after `ttlMs` (a bound on staleness should a notification be lost silently).
 */
export interface ChecklistReadCacheOptions {
  /** Entries kept (an issue has up to two: its items and its state). Default 20 000. */
  maxIssues?: number;
  /** Items kept across all issues (the memory bound: an item is well under 1 kB). Default 100 000. */
  maxItems?: number;
  /**
   * Default 10 min: the longest an entry is kept, a bound on staleness should an announcement be
   * lost while the LISTEN connection stays up (PostgreSQL delivers them to a live listener; a lost
   * connection empties the cache at once, see `listening`). Not shorter: an entry read again costs
   * three queries, and an issue not viewed for a minute is no reason to pay them (on the embedded
   * database they are CPU on the request thread; issue 13). Each entry gets its own TTL, drawn
   * between 3/4 of it and all of it, so entries loaded together (a burst of panel loads) are not
   * all read again in the same moment, a stall of every request waiting behind them.
   */
  ttlMs?: number;
  now?: () => number;
  /** In [0, 1): where in the TTL's last quarter an entry expires (default Math.random). */
  random?: () => number;
}

/** The channel the checklist tables' triggers NOTIFY on (the migration's name for it). */
export const CHECKLIST_CHANGED = 'app_checklist_changed';

/** An issue's items, its state, and its unfinished property writes (the panel's sync state). */
const PARTS = ['items', 'state', 'writes'] as const;
export type CachedPart = (typeof PARTS)[number];

const SEP = '\u0001';
const ALL = '*';

interface Load {
  promise: Promise<unknown>;
  /** A change to the issue was announced while this read ran: its answer is not kept. */
  stale: boolean;
}

export class ChecklistReadCache {
  private readonly entries: LRUCache<string, { value: unknown }>;
  private readonly loads = new Map<string, Load>();
  /** Announcements are being received: only then is anything kept. */
  private live = false;
  private hits = 0;
  private misses = 0;
  private readonly ttlMs: number;
  private readonly random: () => number;

  constructor(opts: ChecklistReadCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 600_000;
    this.random = opts.random ?? Math.random;
    this.entries = new LRUCache({
      max: opts.maxIssues ?? 20_000,
      maxSize: opts.maxItems ?? 100_000,
      // An item list weighs its items; a state (or an empty list) weighs one.
      sizeCalculation: (e) => (Array.isArray(e.value) ? Math.max(1, e.value.length) : 1),
      ttl: this.ttlMs,
      // An injected clock, read as is (lru-cache otherwise debounces its clock by 1 ms of real time).
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
    });
  }

  /** `part` of the issue's checklist: from memory, or from `load` (concurrent misses share one load). */
  async read<T>(clientKey: string, issueId: string, part: CachedPart, load: () => Promise<T>): Promise<T> {
    if (!this.live) return load();
    const key = clientKey + SEP + issueId + SEP + part;
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      return hit.value as T;
    }
    this.misses++;
    const running = this.loads.get(key);
    if (running) return running.promise as Promise<T>;
    const entry: Load = { promise: load(), stale: false };
    this.loads.set(key, entry);
    try {
      const value = (await entry.promise) as T;
      if (!entry.stale && this.live) this.entries.set(key, { value }, { ttl: Math.max(1, Math.round(this.ttlMs * (1 - this.random() / 4))) });
      return value;
    } finally {
      if (this.loads.get(key) === entry) this.loads.delete(key);
    }
  }

  /** The issue's checklist (or only `parts` of what is kept of it) changed: this instance wrote it. */
  changed(clientKey: string, issueId: string, parts: readonly CachedPart[] = PARTS): void {
    const prefix = clientKey + SEP + issueId + SEP;
    for (const part of parts) {
      const key = prefix + part;
      this.entries.delete(key);
      const load = this.loads.get(key);
      if (load) {
        load.stale = true;
        this.loads.delete(key);
      }
    }
  }

  /**
   * A change announced by the database: the payload of `app_checklist_changed` (clientKey,
   * U+0001, issueId or `*` for every issue of the site; then U+0001 and the part when only that
   * part changed: `writes` from the job queue's trigger). A payload of another shape drops
   * everything (never keep what might be stale).
   */
  announced(payload: string): void {
    const [clientKey, issueId, part, ...rest] = payload.split(SEP);
    const parts = part === undefined ? PARTS : PARTS.filter((p) => p === part);
    if (!clientKey || !issueId || !parts.length || rest.length) {
      this.drop(() => true);
      this.entries.clear();
      return;
    }
    if (issueId === ALL) this.drop((key) => key.startsWith(clientKey + SEP) && parts.some((p) => key.endsWith(SEP + p)));
    else this.changed(clientKey, issueId, parts);
  }

  /** The announcements are (again) received, or are no longer: either way nothing held is trusted. */
  listening(up: boolean): void {
    this.live = up;
    this.drop(() => true);
    this.entries.clear();
  }

  stats(): { issues: number; hits: number; misses: number; live: boolean } {
    return { issues: this.entries.size, hits: this.hits, misses: this.misses, live: this.live };
  }

  private drop(matches: (key: string) => boolean): void {
    for (const [key, load] of this.loads) {
      if (!matches(key)) continue;
      load.stale = true;
      this.loads.delete(key);
    }
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key);
  }
}
