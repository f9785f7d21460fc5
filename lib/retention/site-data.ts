import 'server-only';
import { createHash } from 'node:crypto';
import type { Prisma } from '@/lib/generated/prisma/client';

/**
 * Everything the app stores about one site, in one place: the purge, "delete all data now" and
 * the export all read this list, so a new per-tenant table is handled by all three or by none.
 */

type Tx = Prisma.TransactionClient;

/** Rows removed (or found, in a dry run) per table. */
export interface SiteDataCounts {
  checklistItems: number;
  checklistStates: number;
  preferences: number;
  settings: number;
  profiles: number;
  productCache: number;
  /** Background jobs: pending webhook work and property writes, and recent delivery records. */
  jobs: number;
}

export interface TenantCounts extends SiteDataCounts {
  tenant: number;
  lifecycleEvents: number;
  jobRuns: number;
}

/**
 * A stable, non-reversible reference to a site for logs and job records: clientKeys are not
 * personal data, but logs and the JobRun table never need the real one.
 */
export function tenantRef(clientKey: string): string {
  return createHash('sha256').update(clientKey).digest('hex').slice(0, 16);
}

/** The JobRun `job` holding a site's personal data reporting state (deleted with the site). */
export function gdprJobName(clientKey: string): string {
  return `gdpr-report:${tenantRef(clientKey)}`;
}

/** Deletes the site's content and caches; the installation (Tenant row) stays. */
export async function deleteSiteData(tx: Tx, clientKey: string): Promise<SiteDataCounts> {
  const where = { clientKey };
  // Sequential on purpose: one transaction, one connection.
  const checklistItems = (await tx.checklistItem.deleteMany({ where })).count;
  const checklistStates = (await tx.checklistState.deleteMany({ where })).count;
  const preferences = (await tx.userPreference.deleteMany({ where })).count;
  const settings = (await tx.tenantSettings.deleteMany({ where })).count;
  const profiles = (await tx.userProfileCache.deleteMany({ where })).count;
  const productCache = (await tx.productCache.deleteMany({ where })).count;
  const jobs = (await tx.connectJob.deleteMany({ where })).count;
  return { checklistItems, checklistStates, preferences, settings, profiles, productCache, jobs };
}

/** Counts what deleteSiteData and the purge would remove, changing nothing. */
export async function countTenantData(tx: Tx, clientKey: string): Promise<TenantCounts> {
  const where = { clientKey };
  return {
    tenant: await tx.tenant.count({ where }),
    checklistItems: await tx.checklistItem.count({ where }),
    checklistStates: await tx.checklistState.count({ where }),
    preferences: await tx.userPreference.count({ where }),
    settings: await tx.tenantSettings.count({ where }),
    profiles: await tx.userProfileCache.count({ where }),
    productCache: await tx.productCache.count({ where }),
    jobs: await tx.connectJob.count({ where }),
    lifecycleEvents: await tx.lifecycleEvent.count({ where }),
    jobRuns: await tx.jobRun.count({ where: { job: gdprJobName(clientKey) } }),
  };
}

/** Deletes the site's data, its audit trail and job records (the tenant row is the caller's). */
export async function deleteTenantRecords(tx: Tx, clientKey: string): Promise<Omit<TenantCounts, 'tenant'>> {
  const data = await deleteSiteData(tx, clientKey);
  const lifecycleEvents = (await tx.lifecycleEvent.deleteMany({ where: { clientKey } })).count;
  const jobRuns = (await tx.jobRun.deleteMany({ where: { job: gdprJobName(clientKey) } })).count;
  return { ...data, lifecycleEvents, jobRuns };
}
