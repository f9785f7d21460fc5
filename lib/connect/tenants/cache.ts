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
  /** The shared secret imported once as an HMAC key. */
  key: CryptoKey;
}

interface Entry {
  value: Promise<CachedTenant | null>;
  expires: number;
  pending: boolean;
  /** Until then, refresh() answers from this entry (a re-read just found nothing new). */
  quietUntil: number;
}

/** How long a re-read that found the same secret suppresses further re-reads of that tenant. */
export const QUIET_MS = 100;

export interface TenantCacheOptions {
  ttlMs: number;
  /** Known tenants kept in memory (default 50 000): only other known tenants can push one out. */
  maxTenants?: number;
  /** Unknown clientKeys remembered (default 10 000): a token with a random `iss` costs one read, then none. */
  maxUnknown?: number;
  now?: () => number;
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
    this.unknown = new LRUCache({ max: o.maxUnknown ?? 10_000, ttl: Math.max(o.ttlMs, 1), ...lruClock(o.now) });
  }

  get(clientKey: string): Promise<CachedTenant | null> {
    const hit = this.entries.get(clientKey);
    if (hit && hit.expires > this.now()) return hit.value;
    if (!hit && this.unknown.get(clientKey)) return Promise.resolve(null);
    return this.load(clientKey).value;
  }

  /**
   * Re-reads from the store. Concurrent callers share one read; after a re-read that found the
   * same secret, further ones wait QUIET_MS, so a stream of bad signatures cannot turn into a
   * stream of database reads, while a rotated secret is picked up on its first use.
   */
  refresh(clientKey: string): Promise<CachedTenant | null> {
    const hit = this.entries.get(clientKey);
    if (hit && (hit.pending || hit.quietUntil > this.now())) return hit.value;
    const previous = hit?.value.catch(() => null);
    const entry = this.load(clientKey);
    void entry.value.then(
      async (fresh) => {
        const before = await previous;
        if (!before || !fresh || before.tenant.sharedSecret === fresh.tenant.sharedSecret) entry.quietUntil = this.now() + QUIET_MS;
      },
      () => undefined,
    );
    return entry.value;
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

  private load(clientKey: string): Entry {
    const entry: Entry = { value: Promise.resolve(null), expires: this.now() + this.ttlMs, pending: true, quietUntil: 0 };
    entry.value = this.store.find(clientKey).then(async (tenant) => (tenant ? { tenant, key: await hmacKey(tenant.sharedSecret) } : null));
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
