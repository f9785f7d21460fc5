import { hkdfSync } from 'node:crypto';
import { InstallKeyStore } from './install-keys';
import { SecretBox } from './secret-box';
import { SessionTokens } from './session';
import { TenantCache } from './tenants/cache';
import { LifecycleAudit } from './tenants/audit';
import { TenantEvents, type TenantChangeReason } from './tenants/events';
import { TenantRepository } from './tenants/repository';
import { TouchThrottle } from './tenants/touch';
import type { TenantStore } from './tenants/types';
import { VerifiedTokenMemo } from './token-memo';

/** The framework's resolved configuration. */
export interface ConnectConfig {
  appKey: string;
  /** The app's public base URL without trailing slash; qsh is computed against it. */
  baseUrl: string;
  production: boolean;
  leewaySeconds: number;
  allowedProductHosts: readonly string[];
  /** Proxies in front of the app whose `X-Forwarded-Proto` is trusted (0: none; see arrivedOverHttps). */
  trustProxyHops: number;
  licenseWhenAbsent: 'licensed' | 'unlicensed';
  supportedLocales: readonly string[];
  defaultLocale: string;
}

export interface ConnectLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** Everything the lifecycle handler and route wrappers need; one per app, built by createRuntime. */
export interface ConnectRuntime {
  readonly config: ConnectConfig;
  /** Tenants with secrets sealed at rest (the adapter never sees a plain secret). */
  readonly store: TenantRepository;
  readonly tenants: TenantCache;
  readonly installKeys: InstallKeyStore;
  readonly sessions: SessionTokens;
  readonly log: ConnectLogger;
  readonly events: TenantEvents;
  readonly verifiedTokens: VerifiedTokenMemo;
  readonly touches: TouchThrottle;
  /** The lifecycle audit trail (rejections recorded without a tenant, rate-limited). */
  readonly audit: LifecycleAudit;
  now(): Date;
  /** A tenant changed (lifecycle, Forge link, or the app itself): its caches are dropped, listeners told. */
  tenantChanged(clientKey: string, reason: TenantChangeReason): void;
}

export interface RuntimeOptions {
  config: ConnectConfig;
  /** The app's 32-byte secret; the framework derives its own keys from it (HKDF, one label each). */
  secretKey: Uint8Array;
  store: TenantStore;
  log: ConnectLogger;
  now?: () => Date;
  installKeysUrl: string;
  sessionTtlSeconds: number;
  tenantCacheTtlMs: number;
  fetch?: typeof fetch;
}

export const noopLogger: ConnectLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Derives one of the framework's keys from the app secret. Labels never change (stored data depends on them). */
export function deriveKey(secretKey: Uint8Array, label: 'tenant-secret-box-v1' | 'connect-session-token-v1'): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), label, 32));
}

export function createRuntime(o: RuntimeOptions): ConnectRuntime {
  if (o.secretKey.length !== 32) throw new Error('secretKey must be 32 bytes');
  const now = o.now ?? (() => new Date());
  const store = new TenantRepository(o.store, new SecretBox(deriveKey(o.secretKey, 'tenant-secret-box-v1')));
  const clock = () => now().getTime();
  const tenants = new TenantCache(store, { ttlMs: o.tenantCacheTtlMs, now: clock });
  const events = new TenantEvents((err) => o.log.error({ err: String(err) }, 'tenant change listener failed'));
  return {
    config: Object.freeze({ ...o.config, allowedProductHosts: [...o.config.allowedProductHosts], supportedLocales: [...o.config.supportedLocales] }),
    store,
    tenants,
    installKeys: new InstallKeyStore({ cdnUrl: o.installKeysUrl, fetch: o.fetch, now: clock }),
    sessions: new SessionTokens(deriveKey(o.secretKey, 'connect-session-token-v1'), o.config.appKey, o.sessionTtlSeconds, o.config.leewaySeconds),
    log: o.log,
    events,
    verifiedTokens: new VerifiedTokenMemo(),
    touches: new TouchThrottle(store, o.log),
    audit: new LifecycleAudit(store, o.log, now),
    now,
    tenantChanged(clientKey, reason) {
      tenants.invalidate(clientKey);
      events.emit(clientKey, reason);
    },
  };
}
