import type { InstallRecord, LifecycleRecord, TenantRecord, TenantStore } from '../tenants/types';

/**
 * A TenantStore in memory: for tests of apps built on the framework, and of the framework itself.
 * Counts writes so a test can prove that a rejected call changed nothing. Secrets arrive sealed,
 * as with any adapter.
 */
export class MemoryTenantStore implements TenantStore {
  readonly tenants = new Map<string, TenantRecord>();
  readonly events: LifecycleRecord[] = [];
  writes = 0;

  async find(clientKey: string): Promise<TenantRecord | null> {
    const t = this.tenants.get(clientKey);
    return t ? { ...t } : null;
  }

  async upsertInstall(d: InstallRecord, now: Date): Promise<TenantRecord> {
    this.writes++;
    const prior = this.tenants.get(d.clientKey);
    const t: TenantRecord = {
      displayUrl: null,
      cloudId: null,
      oauthClientId: null,
      description: null,
      serverVersion: null,
      pluginsVersion: null,
      serviceEntitlementNumber: null,
      ...d,
      enabled: true,
      installedAt: prior?.installedAt ?? now,
      uninstalledAt: null,
      lastSeenAt: now,
      forgeInstallationId: prior?.forgeInstallationId ?? null,
    };
    this.tenants.set(d.clientKey, t);
    return { ...t };
  }

  async markUninstalled(clientKey: string, now: Date): Promise<boolean> {
    this.writes++;
    const t = this.tenants.get(clientKey);
    if (!t || t.uninstalledAt) return false;
    t.uninstalledAt = now;
    t.enabled = false;
    return true;
  }

  async setEnabled(clientKey: string, enabled: boolean): Promise<boolean> {
    this.writes++;
    const t = this.tenants.get(clientKey);
    if (!t || t.uninstalledAt) return false;
    t.enabled = enabled;
    return true;
  }

  async touch(clientKey: string, now: Date): Promise<void> {
    const t = this.tenants.get(clientKey);
    if (t) t.lastSeenAt = now;
  }

  async recordLifecycle(record: LifecycleRecord): Promise<void> {
    this.events.push(record);
  }
}
