import { hmacKey } from '../jwt';
import type { Tenant, TenantStore } from './types';

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

/**
 * In-process tenant cache for the request path: a short TTL (so with several instances a
 * rotated secret reaches every instance soon), invalidated on lifecycle events here, and
 * `refresh()` to re-read once when a signature fails (so a new secret works at once).
 */
export class TenantCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: TenantStore,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    /** Clock for the TTL and the quiet window (tests move it by hand). */
    private readonly now: () => number = Date.now,
  ) {}

  get(clientKey: string): Promise<CachedTenant | null> {
    const hit = this.entries.get(clientKey);
    if (hit && hit.expires > this.now()) return hit.value;
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
  }

  clear(): void {
    this.entries.clear();
  }

  private load(clientKey: string): Entry {
    const entry: Entry = { value: Promise.resolve(null), expires: this.now() + this.ttlMs, pending: true, quietUntil: 0 };
    entry.value = this.store.find(clientKey).then(async (tenant) => (tenant ? { tenant, key: await hmacKey(tenant.sharedSecret) } : null));
    this.entries.set(clientKey, entry);
    entry.value.then(
      () => (entry.pending = false),
      () => {
        entry.pending = false;
        if (this.entries.get(clientKey) === entry) this.entries.delete(clientKey);
      },
    );
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry;
  }
}
