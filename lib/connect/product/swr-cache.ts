import type { z } from 'zod';
import { ProductApiError } from './errors';
import type { ProductLogger } from './types';

/**
 * Stale-while-revalidate cache for product reads that pages render (display names, issue
 * summaries, license details). Tenant-scoped: every entry is keyed by (clientKey, key).
 * - fresh (younger than `freshMs`): served as is;
 * - stale: served at once, flagged, and refreshed in the background (one refresh per key);
 * - older than `maxStaleMs` (default: never): the read waits for the product, and if that
 *   fails the old value is still served, flagged;
 * - nothing cached: the read waits for the product; its failure is the caller's error.
 * In memory (bounded, LRU) by default; an optional {@link SwrStore} (e.g. the Prisma
 * ProductCache table) keeps the last good values across restarts and instances.
 * Cached values are shared between callers: treat them as read-only.
 */
export interface SwrStore {
  get(clientKey: string, key: string): Promise<{ value: unknown; fetchedAt: Date } | null>;
  set(clientKey: string, key: string, value: unknown, fetchedAt: Date): Promise<void>;
  delete(clientKey: string, key: string): Promise<void>;
  deleteTenant(clientKey: string): Promise<void>;
}

export interface Cached<T> {
  value: T;
  fetchedAt: Date;
  /** Older than the fresh window (a refresh was started or has failed). */
  stale: boolean;
  /** The latest refresh failed (the site is slow, down or refusing): show a quiet notice. */
  error?: ProductApiError;
}

export interface SwrCacheOptions {
  /** Default fresh window in ms. */
  freshMs: number;
  /** After this age a read waits for a refresh instead of answering at once. Default Infinity. */
  maxStaleMs?: number;
  /** In-memory entries across all tenants. Default 10 000. */
  maxEntries?: number;
  store?: SwrStore;
  now?: () => number;
  log?: ProductLogger;
}

/** Told whether the load runs for a waiting caller or as a background refresh. */
export type SwrLoader<T> = (ctx: { background: boolean }) => Promise<T>;

export interface SwrReadOptions<T> {
  freshMs?: number;
  maxStaleMs?: number;
  /** Validates values read back from the persistent store (Zod at the boundary). */
  schema?: z.ZodType<T>;
  /** Write this key to the persistent store (default true when there is one). */
  persist?: boolean;
}

interface Entry {
  value: unknown;
  fetchedAt: number;
  error?: ProductApiError;
}

const SEP = '\u0000';

export class SwrCache {
  private readonly memory = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(private readonly opts: SwrCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Reads `key` of `clientKey`, loading it with `load` when missing or stale (see class doc). */
  async read<T>(clientKey: string, key: string, load: SwrLoader<T>, ro: SwrReadOptions<T> = {}): Promise<Cached<T>> {
    const id = clientKey + SEP + key;
    const freshMs = ro.freshMs ?? this.opts.freshMs;
    const maxStaleMs = ro.maxStaleMs ?? this.opts.maxStaleMs ?? Infinity;
    const entry = this.touch(id) ?? (await this.fromStore(clientKey, key, id, ro.schema));
    if (entry) {
      const age = this.now() - entry.fetchedAt;
      if (age <= freshMs) return this.view<T>(entry, false);
      if (age <= maxStaleMs) {
        this.refresh(clientKey, key, id, () => load({ background: true }), ro).catch(() => undefined);
        return this.view<T>(entry, true);
      }
    }
    try {
      return this.view<T>(await this.refresh(clientKey, key, id, () => load({ background: false }), ro), false);
    } catch (err) {
      const latest = this.memory.get(id) ?? entry;
      if (latest && err instanceof ProductApiError) return this.view<T>({ ...latest, error: err }, true);
      throw err;
    }
  }

  /** The cached value without loading anything (undefined when nothing is cached in memory). */
  peek<T>(clientKey: string, key: string): Cached<T> | undefined {
    const entry = this.memory.get(clientKey + SEP + key);
    return entry ? this.view<T>(entry, this.now() - entry.fetchedAt > this.opts.freshMs) : undefined;
  }

  /** Drops one key (memory and store), e.g. a user whose data must be erased. */
  async invalidate(clientKey: string, key: string): Promise<void> {
    this.memory.delete(clientKey + SEP + key);
    await this.opts.store?.delete(clientKey, key);
  }

  /** Drops every key of a tenant from memory, and from the store unless `memoryOnly`. */
  async forgetTenant(clientKey: string, opts: { memoryOnly?: boolean } = {}): Promise<void> {
    const prefix = clientKey + SEP;
    for (const id of this.memory.keys()) if (id.startsWith(prefix)) this.memory.delete(id);
    if (!opts.memoryOnly) await this.opts.store?.deleteTenant(clientKey);
  }

  private view<T>(entry: Entry, stale: boolean): Cached<T> {
    return { value: entry.value as T, fetchedAt: new Date(entry.fetchedAt), stale, ...(entry.error ? { error: entry.error } : {}) };
  }

  private refresh<T>(clientKey: string, key: string, id: string, load: () => Promise<T>, ro: SwrReadOptions<T>): Promise<Entry> {
    const running = this.inflight.get(id);
    if (running) return running;
    const job = (async () => {
      try {
        const value = await load();
        const entry: Entry = { value, fetchedAt: this.now() };
        this.remember(id, entry);
        if (this.opts.store && ro.persist !== false) {
          this.opts.store
            .set(clientKey, key, value, new Date(entry.fetchedAt))
            .catch((err: unknown) => this.opts.log?.warn({ clientKey, key, err: String(err) }, 'product cache store write failed'));
        }
        return entry;
      } catch (err) {
        const old = this.memory.get(id);
        if (old && err instanceof ProductApiError) this.memory.set(id, { ...old, error: err });
        throw err;
      }
    })().finally(() => this.inflight.delete(id));
    this.inflight.set(id, job);
    return job;
  }

  private async fromStore<T>(clientKey: string, key: string, id: string, schema?: z.ZodType<T>): Promise<Entry | undefined> {
    if (!this.opts.store) return undefined;
    try {
      const row = await this.opts.store.get(clientKey, key);
      if (!row) return undefined;
      const parsed = schema ? schema.safeParse(row.value) : { success: true as const, data: row.value };
      // A row written by an older version of the app with another shape is a miss, not a crash.
      if (!parsed.success) return undefined;
      const entry: Entry = { value: parsed.data, fetchedAt: row.fetchedAt.getTime() };
      this.remember(id, entry);
      return entry;
    } catch (err) {
      this.opts.log?.warn({ clientKey, key, err: String(err) }, 'product cache store read failed');
      return undefined;
    }
  }

  /** Memory hit, moved to the most-recently-used end. */
  private touch(id: string): Entry | undefined {
    const entry = this.memory.get(id);
    if (entry) {
      this.memory.delete(id);
      this.memory.set(id, entry);
    }
    return entry;
  }

  private remember(id: string, entry: Entry): void {
    this.memory.delete(id);
    this.memory.set(id, entry);
    const max = this.opts.maxEntries ?? 10_000;
    while (this.memory.size > max) {
      const oldest = this.memory.keys().next().value;
      if (oldest === undefined) break;
      this.memory.delete(oldest);
    }
  }
}
