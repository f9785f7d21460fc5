import type { PrismaClient, Tenant as TenantRow } from '@/lib/generated/prisma/client';
import type { SecretBox } from '../secret-box';
import type { InstallData, LifecycleRecord, Tenant, TenantStore } from './types';

/** TenantStore over Prisma; shared secrets are sealed with AES-256-GCM before they are written. */
export class PrismaTenantStore implements TenantStore {
  constructor(
    private readonly prisma: () => Promise<PrismaClient>,
    private readonly box: () => Promise<SecretBox>,
  ) {}

  async find(clientKey: string): Promise<Tenant | null> {
    const row = await (await this.prisma()).tenant.findUnique({ where: { clientKey } });
    return row ? this.toTenant(row) : null;
  }

  async upsertInstall(data: InstallData, now: Date): Promise<Tenant> {
    const box = await this.box();
    const fields = {
      appKey: data.appKey,
      sharedSecretEnc: box.seal(data.sharedSecret, data.clientKey),
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
    return this.toTenant(row);
  }

  async markUninstalled(clientKey: string, now: Date): Promise<boolean> {
    const r = await (await this.prisma()).tenant.updateMany({
      where: { clientKey, uninstalledAt: null },
      data: { uninstalledAt: now, enabled: false },
    });
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

  private async toTenant(row: TenantRow): Promise<Tenant> {
    const { sharedSecretEnc, createdAt: _c, updatedAt: _u, ...rest } = row;
    return { ...rest, sharedSecret: (await this.box()).open(sharedSecretEnc, row.clientKey) };
  }
}
