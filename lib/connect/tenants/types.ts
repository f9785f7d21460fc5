/** A Connect tenant (one product site) as the framework hands it out: the secret decrypted in memory. */
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

/**
 * A tenant as a storage adapter keeps it: the shared secret only as the sealed envelope the
 * framework made (AES-256-GCM, clientKey bound; see SecretBox). Adapters never see a secret.
 */
export interface TenantRecord extends Omit<Tenant, 'sharedSecret'> {
  sharedSecretEnc: string;
}

export interface InstallRecord extends Omit<InstallData, 'sharedSecret'> {
  sharedSecretEnc: string;
}

/**
 * The storage adapter behind the framework: a small structural interface any database can
 * implement (`atlassian-connect-next/prisma` has the Prisma one, `/testing` an in-memory one).
 * Every method takes the clientKey: there is no unscoped call.
 */
export interface TenantStore {
  find(clientKey: string): Promise<TenantRecord | null>;
  /** Insert or replace the installation (a reinstall rotates the secret); clears uninstalledAt, enables. */
  upsertInstall(data: InstallRecord, now: Date): Promise<TenantRecord>;
  /** False when there was no installed tenant. */
  markUninstalled(clientKey: string, now: Date): Promise<boolean>;
  setEnabled(clientKey: string, enabled: boolean): Promise<boolean>;
  /** Records that the site is still calling (retention never purges such a site). */
  touch(clientKey: string, now: Date): Promise<void>;
  /** Audit trail of lifecycle callbacks; never a secret or a token. */
  recordLifecycle(record: LifecycleRecord): Promise<void>;
}
