import type { InstallKeyStore } from './install-keys';
import type { SessionTokens } from './session';
import type { TenantCache } from './tenants/cache';
import type { TenantStore } from './tenants/types';

/** The framework's configuration, resolved from the app's env. */
export interface ConnectConfig {
  appKey: string;
  /** The app's public base URL without trailing slash; qsh is computed against it. */
  baseUrl: string;
  production: boolean;
  leewaySeconds: number;
  allowedProductHosts: string[];
  trustProxy: boolean;
  licenseWhenAbsent: 'licensed' | 'unlicensed';
  supportedLocales: readonly string[];
  defaultLocale: string;
}

export interface ConnectLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Everything the lifecycle handler and route wrappers need; built once by createConnect. */
export interface ConnectRuntime {
  config(): ConnectConfig;
  store: TenantStore;
  tenants: TenantCache;
  installKeys: InstallKeyStore;
  sessions: SessionTokens;
  log: ConnectLogger;
  now(): Date;
  /** Called after a lifecycle event changed a tenant (e.g. to drop app caches). */
  onTenantChange(clientKey: string): void;
}
