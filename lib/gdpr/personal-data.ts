import 'server-only';
import { getUser, isProductApiError, type ProductRequester } from 'atlassian-connect-next';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { ReportedAccount } from './report-api';

/**
 * Where the app keeps personal data, per site (schema: prisma/schema.prisma):
 * - UserProfileCache: accountId + display name copied from the product (refreshed or erased);
 * - UserPreference: a person's own preferences (erased);
 * - ChecklistItem.createdBy / checkedBy and TenantSettings.updatedBy: who did what (anonymised:
 *   the team's checklist content and settings stay, the link to the person goes).
 */

/** Atlassian's placeholder for anonymous users: never a person to report. */
const UNKNOWN = 'unknown';
const valid = (id: string | null | undefined): id is string => !!id && id !== UNKNOWN && id.length <= 128;

/**
 * Every accountId the site holds data for, with the time that data was retrieved (profile
 * cache) or, for accounts with no copied profile, last written.
 */
export async function accountsWithPersonalData(prisma: PrismaClient, clientKey: string): Promise<ReportedAccount[]> {
  const fetched = new Map<string, Date>();
  const written = new Map<string, Date>();
  const note = (m: Map<string, Date>, id: string | null, at: Date | null | undefined) => {
    if (!valid(id) || !at) return;
    const prev = m.get(id);
    if (!prev || at > prev) m.set(id, at);
  };
  for (const p of await prisma.userProfileCache.findMany({ where: { clientKey }, select: { accountId: true, fetchedAt: true } })) {
    note(fetched, p.accountId, p.fetchedAt);
  }
  for (const p of await prisma.userPreference.findMany({ where: { clientKey }, select: { accountId: true, updatedAt: true } })) {
    note(written, p.accountId, p.updatedAt);
  }
  const created = await prisma.checklistItem.groupBy({ by: ['createdBy'], where: { clientKey, createdBy: { not: null } }, _max: { updatedAt: true } });
  for (const g of created) note(written, g.createdBy, g._max.updatedAt);
  const checked = await prisma.checklistItem.groupBy({ by: ['checkedBy'], where: { clientKey, checkedBy: { not: null } }, _max: { updatedAt: true } });
  for (const g of checked) note(written, g.checkedBy, g._max.updatedAt);
  const settings = await prisma.tenantSettings.findUnique({ where: { clientKey }, select: { updatedBy: true, updatedAt: true } });
  if (settings) note(written, settings.updatedBy, settings.updatedAt);

  // A copied profile is what "updated" refers to, so its fetch time wins.
  const out = new Map<string, Date>(written);
  for (const [id, at] of fetched) out.set(id, at);
  return [...out].map(([accountId, updatedAt]) => ({ accountId, updatedAt })).sort((a, b) => a.accountId.localeCompare(b.accountId));
}

export interface ErasureCounts {
  preferences: number;
  profiles: number;
  itemsAnonymised: number;
  settingsAnonymised: number;
}

/** Erases one closed account's data on one site, in one transaction. */
export async function eraseAccount(prisma: PrismaClient, clientKey: string, accountId: string): Promise<ErasureCounts> {
  return prisma.$transaction(async (tx) => {
    const preferences = (await tx.userPreference.deleteMany({ where: { clientKey, accountId } })).count;
    const profiles = (await tx.userProfileCache.deleteMany({ where: { clientKey, accountId } })).count;
    const created = (await tx.checklistItem.updateMany({ where: { clientKey, createdBy: accountId }, data: { createdBy: null } })).count;
    const checked = (await tx.checklistItem.updateMany({ where: { clientKey, checkedBy: accountId }, data: { checkedBy: null } })).count;
    const settingsAnonymised = (await tx.tenantSettings.updateMany({ where: { clientKey, updatedBy: accountId }, data: { updatedBy: null } })).count;
    return { preferences, profiles, itemsAnonymised: created + checked, settingsAnonymised };
  });
}

export type RefreshResult = 'refreshed' | 'removed' | 'not-cached' | 'failed';

/**
 * Refreshes the cached display name of an account Atlassian reported `updated` (Jira's or
 * Confluence's user API, as the app). A profile the product no longer returns (404) is dropped;
 * any other failure keeps the old copy, and because its fetch time is unchanged the next report
 * asks again.
 */
export async function refreshProfile(prisma: PrismaClient, rq: ProductRequester, accountId: string, now: Date): Promise<RefreshResult> {
  const clientKey = rq.clientKey;
  const cached = await prisma.userProfileCache.findUnique({ where: { clientKey_accountId: { clientKey, accountId } }, select: { accountId: true } });
  if (!cached) return 'not-cached';
  let name: string;
  try {
    const user = await getUser(rq, accountId);
    name = user.displayName;
  } catch (err) {
    if (isProductApiError(err) && err.kind === 'http' && err.status === 404) {
      await prisma.userProfileCache.deleteMany({ where: { clientKey, accountId } });
      return 'removed';
    }
    return 'failed';
  }
  if (!name) return 'failed';
  await prisma.userProfileCache.updateMany({ where: { clientKey, accountId }, data: { displayName: name.slice(0, 255), fetchedAt: now } });
  return 'refreshed';
}
