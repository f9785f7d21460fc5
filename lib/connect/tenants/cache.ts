import { hmacKey } from '../jwt';
import type { Tenant, TenantStore } from './types';

export interface CachedTenant {
  tenant: Tenant;
  /** The shared secret imported once as an HMAC key. */
  key: CryptoKey;
}

/**
 * In-process tenant cache for the request path: a short TTL (so with several instances a
 * rotated secret reaches every instance soon), invalidated on lifecycle events here, and
 * `refresh()` to re-read once when a signature fails (so a new secret works at once).
 */
export class TenantCache {
  private readonly entries = new Map<string, { value: Promise<CachedTenant | null>; expires: number; loadedAt: number }>();

  constructor(
    private readonly store: TenantStore,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(clientKey: string): Promise<CachedTenant | null> {
    const now = Date.now();
    const hit = this.entries.get(clientKey);
    if (hit && hit.expires > now) return hit.value;
    return this.load(clientKey);
  }

  /**
   * Re-reads from the store. Concurrent callers share one read, and reads of one tenant are at
   * most one per 50 ms, so bad signatures cannot turn into a flood of database reads.
   */
  refresh(clientKey: string): Promise<CachedTenant | null> {
    const hit = this.entries.get(clientKey);
    if (hit && hit.loadedAt > Date.now() - 50) return hit.value;
    return this.load(clientKey);
  }

  invalidate(clientKey: string): void {
    this.entries.delete(clientKey);
  }

  clear(): void {
    this.entries.clear();
  }

  private load(clientKey: string): Promise<CachedTenant | null> {
    const value = this.store.find(clientKey).then(async (tenant) =>
      tenant ? { tenant, key: await hmacKey(tenant.sharedSecret) } : null,
    );
    const entry = { value, expires: Date.now() + this.ttlMs, loadedAt: Date.now() };
    this.entries.set(clientKey, entry);
    value.catch(() => {
      if (this.entries.get(clientKey) === entry) this.entries.delete(clientKey);
    });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }
}
