import { randomBytes } from 'node:crypto';
import { createRuntime, noopLogger, type ConnectConfig, type ConnectLogger, type ConnectRuntime } from '../runtime';
import type { TenantStore } from '../tenants/types';
import { MemoryTenantStore } from './memory-tenant-store';

export interface TestRuntimeOptions {
  config?: Partial<ConnectConfig>;
  store?: TenantStore;
  log?: ConnectLogger;
  now?: () => Date;
  installKeysUrl?: string;
  tenantCacheTtlMs?: number;
  sessionTtlSeconds?: number;
  /** Default: random per runtime. Pass one to read back, from another runtime, secrets sealed by this one. */
  secretKey?: Uint8Array;
}

/**
 * A runtime for tests of route wrappers and lifecycle handling: an in-memory store (unless one
 * is given), a random secret key, and a config for `https://app.example.com`.
 */
export function createTestRuntime(o: TestRuntimeOptions = {}): ConnectRuntime {
  return createRuntime({
    config: {
      appKey: 'app',
      baseUrl: 'https://app.example.com',
      production: false,
      leewaySeconds: 5,
      allowedProductHosts: ['*.atlassian.net'],
      trustProxyHops: 0,
      licenseWhenAbsent: 'licensed',
      supportedLocales: ['en'],
      defaultLocale: 'en',
      ...o.config,
    },
    secretKey: o.secretKey ?? randomBytes(32),
    store: o.store ?? new MemoryTenantStore(),
    log: o.log ?? noopLogger,
    now: o.now,
    installKeysUrl: o.installKeysUrl ?? 'http://127.0.0.1:9',
    sessionTtlSeconds: o.sessionTtlSeconds ?? 900,
    tenantCacheTtlMs: o.tenantCacheTtlMs ?? 60_000,
  });
}
