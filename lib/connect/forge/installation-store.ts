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
