import type { ForgeInstallationStore, ForgeLink, SiteCandidate } from '../forge/installation-store';
import { resolver, type ConnectPrismaClient, type PrismaSource, type TenantRow } from './client';

/** ForgeInstallationStore over Prisma: the link lives on the `Tenant` model of connect.prisma. */
export class PrismaForgeInstallations implements ForgeInstallationStore {
  private readonly prisma: () => Promise<Pick<ConnectPrismaClient, 'tenant' | '$transaction'>>;

  constructor(prisma: PrismaSource<Pick<ConnectPrismaClient, 'tenant' | '$transaction'>>) {
    this.prisma = resolver(prisma);
  }

  async findByInstallation(installationId: string): Promise<string | null> {
    const row = await (await this.prisma()).tenant.findFirst({ where: { forgeInstallationId: installationId } });
    return row?.clientKey ?? null;
  }

  async findBySite(site: { cloudId: string; product: string; siteUrl?: string }): Promise<SiteCandidate[]> {
    const p = await this.prisma();
    const byCloud = await p.tenant.findMany({ where: { cloudId: site.cloudId, productType: site.product }, take: 20 });
    if (byCloud.length || !site.siteUrl) return byCloud.map(candidate);
    return (await p.tenant.findMany({ where: { baseUrl: site.siteUrl, cloudId: null, productType: site.product }, take: 20 })).map(candidate);
  }

  async link(clientKey: string, link: ForgeLink): Promise<void> {
    const p = await this.prisma();
    const writes = [
      // forgeInstallationId is unique: a reinstall or a re-pointed site takes it from the old row.
      p.tenant.updateMany({ where: { forgeInstallationId: link.installationId, NOT: { clientKey } }, data: { forgeInstallationId: null } }),
      p.tenant.updateMany({ where: { clientKey, cloudId: null }, data: { cloudId: link.cloudId } }),
      p.tenant.updateMany({ where: { clientKey }, data: { forgeInstallationId: link.installationId, lastSeenAt: link.now } }),
    ];
    // Never revives an uninstalled tenant: that takes a signed Connect `installed` with a fresh secret.
    if (link.enable) writes.push(p.tenant.updateMany({ where: { clientKey, uninstalledAt: null }, data: { enabled: true } }));
    await p.$transaction(writes);
  }
}

function candidate(t: TenantRow): SiteCandidate {
  return { clientKey: t.clientKey, cloudId: t.cloudId, productType: t.productType, installedAt: t.installedAt, uninstalledAt: t.uninstalledAt };
}
