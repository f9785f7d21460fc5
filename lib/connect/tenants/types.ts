/** A Connect tenant (one product site) as the framework sees it: secret decrypted in memory. */
export interface Tenant {
  clientKey: string;
  appKey: string;
  sharedSecret: string;
  baseUrl: string;
  displayUrl: string | null;
  productType: string;
  cloudId: string | null;
  oauthClientId: string | null;
  description: string | null;
  serverVersion: string | null;
  pluginsVersion: string | null;
  serviceEntitlementNumber: string | null;
  enabled: boolean;
  installedAt: Date;
  uninstalledAt: Date | null;
  lastSeenAt: Date | null;
  forgeInstallationId: string | null;
}

/** What a verified `installed` callback gives us. */
export interface InstallData {
  clientKey: string;
  appKey: string;
  sharedSecret: string;
  baseUrl: string;
  displayUrl?: string | null;
  productType: string;
  cloudId?: string | null;
  oauthClientId?: string | null;
  description?: string | null;
  serverVersion?: string | null;
  pluginsVersion?: string | null;
  serviceEntitlementNumber?: string | null;
}

export interface LifecycleRecord {
  event: string;
  clientKey?: string | null;
  outcome: 'accepted' | 'rejected';
  reason?: string | null;
}

/** Storage behind the framework. Every method takes the clientKey: there is no unscoped call. */
export interface TenantStore {
  find(clientKey: string): Promise<Tenant | null>;
  upsertInstall(data: InstallData, now: Date): Promise<Tenant>;
  markUninstalled(clientKey: string, now: Date): Promise<boolean>;
  setEnabled(clientKey: string, enabled: boolean): Promise<boolean>;
  touch(clientKey: string, now: Date): Promise<void>;
  recordLifecycle(record: LifecycleRecord): Promise<void>;
}
