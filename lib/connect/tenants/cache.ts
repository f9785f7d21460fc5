import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { lruClock } from '../clock';
import { hmacKey } from '../jwt';
import type { Tenant } from './types';

/** Where the cache reads tenants from (secrets already opened). */
export interface TenantSource {
  find(clientKey: string): Promise<Tenant | null>;
}

export interface CachedTenant {
  tenant: Tenant;
  /** Its shared secret as an HS256 key, made once (hmacKey). */
  key: KeyObject;
}

interface Entry {
  value: Promise<CachedTenant | null>;
  expires: number;
  pending: boolean;
  /** Until then no re-read of this tenant starts (a re-read just found nothing new). */
  quietUntil: number;
}

/** How long after a re-read that found the same secret the next re-read of that tenant waits. */
export const QUIET_MS = 100;

export interface TenantCacheOptions {
  ttlMs: number;
  /** Known tenants kept in memory (default 50 000): only other known tenants can push one out. */
  maxTenants?: number;
  /** Unknown clientKeys remembered (default 10 000): a token with a random `iss` costs one read, then none. */
  maxUnknown?: number;
  now?: () => number;
  /** Waits before a re-read that must not start yet (tests inject one that moves `now`). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * In-process tenant cache for the request path: a short TTL (so with several instances a
 * rotated secret reaches every instance soon), invalidated on lifecycle events here, and
 * `refresh()` to re-read once when a signature fails (so a new secret works at once).
 * Unknown clientKeys live in a separate bounded negative cache, so a stream of tokens with random
 * issuers neither reads the database again for a repeated one nor evicts a real tenant.
 */
export class TenantCache {
  private readonly entries = new Map<string, Entry>();
  private readonly unknown: LRUCache<string, true>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Re-reads asked for while another read was in flight or quiet: one per tenant, shared. */
  private readonly queued = new Map<string, Promise<CachedTenant | null>>();
  private readonly ttlMs: number;
  private readonly maxTenants: number;

  constructor(
    private readonly store: TenantSource,
    opts: TenantCacheOptions | number,
  ) {
    const o = typeof opts === 'number' ? { ttlMs: opts } : opts;
    this.ttlMs = o.ttlMs;
    this.maxTenants = o.maxTenants ?? 50_000;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.unknown = new LRUCache({ max: o.maxUnknown ?? 10_000, ttl: Math.max(o.ttlMs, 1), ...lruClock(o.now) });
  }

  get(clientKey: string): Promise<CachedTenant | null> {
    const hit = this.entries.get(clientKey);
    if (hit && hit.expires > this.now()) return hit.value;
    if (!hit && this.unknown.get(clientKey)) return Promise.resolve(null);
    return this.load(clientKey).value;
  }

  /**
   * Re-reads from the store, for a signature that failed against the cached secret: the answer
   * always comes from a read that started after this call, so a secret stored before the call
   * (by another instance) is seen. Re-reads of one tenant are bounded: while a read is in flight,
   * or within QUIET_MS after a re-read that found the same secret, callers share one queued read
   * that starts once both are over. A stream of bad signatures thus costs at most one read per
   * QUIET_MS per tenant (its callers wait for it), and a rotated secret is picked up on first use.
   */
  refresh(clientKey: string): Promise<CachedTenant | null> {
    const waiting = this.queued.get(clientKey);
    if (waiting) return waiting;
    const hit = this.entries.get(clientKey);
    if (!hit || (!hit.pending && hit.quietUntil <= this.now())) return this.reread(clientKey, hit);
    const next = (async () => {
      try {
        // The read in flight began before this call: it may predate what the caller saw.
        await hit.value.catch(() => undefined);
        const wait = hit.quietUntil - this.now();
        if (wait > 0) await this.sleep(wait);
      } finally {
        this.queued.delete(clientKey);
      }
      return this.reread(clientKey, this.entries.get(clientKey));
    })();
    this.queued.set(clientKey, next);
    return next;
  }

  private reread(clientKey: string, previous: Entry | undefined): Promise<CachedTenant | null> {
    // No entry before: nothing to compare with, so a re-read that finds a tenant still goes quiet.
    return this.load(clientKey, previous ? previous.value.catch(() => null) : Promise.resolve(null)).value;
  }

  invalidate(clientKey: string): void {
    this.entries.delete(clientKey);
    this.unknown.delete(clientKey);
  }

  clear(): void {
    this.entries.clear();
    this.unknown.clear();
  }

  /** Tenants and unknown keys held (for tests and metrics). */
  size(): { tenants: number; unknown: number } {
    return { tenants: this.entries.size, unknown: this.unknown.size };
  }

  /**
   * Starts a read. For a re-read (`before`: the entry it replaces), the entry goes quiet when the
   * read found nothing new, before anyone awaiting it resumes.
   */
  private load(clientKey: string, before?: Promise<CachedTenant | null>): Entry {
    const entry: Entry = { value: Promise.resolve(null), expires: this.now() + this.ttlMs, pending: true, quietUntil: 0 };
    entry.value = this.store.find(clientKey).then(async (tenant) => {
      const found = tenant ? { tenant, key: hmacKey(tenant.sharedSecret) } : null;
      if (before) {
        const was = await before;
        if (!was || !found || was.tenant.sharedSecret === found.tenant.sharedSecret) entry.quietUntil = this.now() + QUIET_MS;
      }
      return found;
    });
    this.entries.set(clientKey, entry);
    entry.value.then(
      (found) => {
        entry.pending = false;
        if (found || this.entries.get(clientKey) !== entry) return;
        // Unknown: remembered apart, so it never takes a known tenant's place.
        this.entries.delete(clientKey);
        this.unknown.set(clientKey, true);
      },
      () => {
        entry.pending = false;
        if (this.entries.get(clientKey) === entry) this.entries.delete(clientKey);
      },
    );
    if (this.entries.size > this.maxTenants) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry;
  }
}
