import type { InstallData, LifecycleRecord, Tenant, TenantStore } from '../tenants/types';

/**
 * A TenantStore in memory: for tests of apps built on lib/connect, and of the framework itself.
 * Counts writes so a test can prove that a rejected call changed nothing.
 */
export class MemoryTenantStore implements TenantStore {
  readonly tenants = new Map<string, Tenant>();
  readonly events: LifecycleRecord[] = [];
  writes = 0;

  async find(clientKey: string): Promise<Tenant | null> {
    const t = this.tenants.get(clientKey);
    return t ? { ...t } : null;
  }

  async upsertInstall(d: InstallData, now: Date): Promise<Tenant> {
    this.writes++;
    const prior = this.tenants.get(d.clientKey);
    const t: Tenant = {
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
