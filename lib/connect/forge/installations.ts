import type { PrismaClient } from '@/lib/generated/prisma/client';

/**
 * Where a Forge installation meets a Connect tenant. A Forge invocation token names the
 * installation and the site (cloud id; the site URL on UI invocations) but not the Connect
 * clientKey, so the tenant is found by the installation id recorded earlier, else by cloud id
 * and product, else (tenants installed before cloudId was stored) by site URL.
 */

export interface SiteCandidate {
  clientKey: string;
  cloudId: string | null;
  productType: string;
  installedAt: Date;
  uninstalledAt: Date | null;
}

export interface ForgeLink {
  installationId: string;
  cloudId: string;
  now: Date;
  /** Forge lifecycle event: also clear `enabled: false` (Forge never sends `enabled`). */
  enable: boolean;
}

export interface ForgeInstallationStore {
  /** The clientKey whose tenant is linked to this Forge installation, if any. */
  findByInstallation(installationId: string): Promise<string | null>;
  /** Tenants of this site and product: same cloudId, or (no cloudId stored) same baseUrl. */
  findBySite(site: { cloudId: string; product: string; siteUrl?: string }): Promise<SiteCandidate[]>;
  /** Records the installation (and a missing cloudId) on the tenant; the id moves off any other row. */
  link(clientKey: string, link: ForgeLink): Promise<void>;
}

const candidateFields = { clientKey: true, cloudId: true, productType: true, installedAt: true, uninstalledAt: true } as const;

export class PrismaForgeInstallations implements ForgeInstallationStore {
  constructor(private readonly prisma: () => Promise<PrismaClient>) {}

  async findByInstallation(installationId: string): Promise<string | null> {
    const row = await (await this.prisma()).tenant.findUnique({ where: { forgeInstallationId: installationId }, select: { clientKey: true } });
    return row?.clientKey ?? null;
  }

  async findBySite(site: { cloudId: string; product: string; siteUrl?: string }): Promise<SiteCandidate[]> {
    const p = await this.prisma();
    const byCloud = await p.tenant.findMany({ where: { cloudId: site.cloudId, productType: site.product }, select: candidateFields, take: 20 });
    if (byCloud.length || !site.siteUrl) return byCloud;
    return p.tenant.findMany({ where: { baseUrl: site.siteUrl, cloudId: null, productType: site.product }, select: candidateFields, take: 20 });
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
