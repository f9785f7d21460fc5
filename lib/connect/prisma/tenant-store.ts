import type { InstallRecord, LifecycleRecord, TenantRecord, TenantStore } from '../tenants/types';
import { resolver, type ConnectPrismaClient, type PrismaSource, type TenantRow } from './client';

/** TenantStore over Prisma (models `Tenant` and `LifecycleEvent` of connect.prisma). Secrets arrive sealed. */
export class PrismaTenantStore implements TenantStore {
  private readonly prisma: () => Promise<Pick<ConnectPrismaClient, 'tenant' | 'lifecycleEvent'>>;

  constructor(prisma: PrismaSource<Pick<ConnectPrismaClient, 'tenant' | 'lifecycleEvent'>>) {
    this.prisma = resolver(prisma);
  }

  async find(clientKey: string): Promise<TenantRecord | null> {
    const row = await (await this.prisma()).tenant.findUnique({ where: { clientKey } });
    return row ? toRecord(row) : null;
  }

  async upsertInstall(data: InstallRecord, now: Date): Promise<TenantRecord> {
    const fields = {
      appKey: data.appKey,
      sharedSecretEnc: data.sharedSecretEnc,
      baseUrl: data.baseUrl,
      displayUrl: data.displayUrl ?? null,
      productType: data.productType,
      cloudId: data.cloudId ?? null,
      oauthClientId: data.oauthClientId ?? null,
      description: data.description ?? null,
      serverVersion: data.serverVersion ?? null,
      pluginsVersion: data.pluginsVersion ?? null,
      serviceEntitlementNumber: data.serviceEntitlementNumber ?? null,
      // A (re)install always leaves the tenant usable: on Forge no `enabled` follows.
      enabled: true,
      uninstalledAt: null,
      lastSeenAt: now,
    };
    const row = await (await this.prisma()).tenant.upsert({
      where: { clientKey: data.clientKey },
      create: { clientKey: data.clientKey, installedAt: now, ...fields },
      update: fields,
    });
    return toRecord(row);
  }

  async markUninstalled(clientKey: string, now: Date): Promise<boolean> {
    const r = await (await this.prisma()).tenant.updateMany({ where: { clientKey, uninstalledAt: null }, data: { uninstalledAt: now, enabled: false } });
    return r.count > 0;
  }

  async setEnabled(clientKey: string, enabled: boolean): Promise<boolean> {
    const r = await (await this.prisma()).tenant.updateMany({ where: { clientKey, uninstalledAt: null }, data: { enabled } });
    return r.count > 0;
  }

  async touch(clientKey: string, now: Date): Promise<void> {
    await (await this.prisma()).tenant.updateMany({ where: { clientKey }, data: { lastSeenAt: now } });
  }

  async recordLifecycle(record: LifecycleRecord): Promise<void> {
    await (await this.prisma()).lifecycleEvent.create({
      data: {
        event: record.event.slice(0, 32),
        clientKey: record.clientKey?.slice(0, 255) ?? null,
        outcome: record.outcome,
        reason: record.reason?.slice(0, 200) ?? null,
      },
    });
  }
}

function toRecord(row: TenantRow): TenantRecord {
  const { createdAt: _c, updatedAt: _u, ...rest } = row;
  return rest;
}
