import { randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { PrismaTenantStore } from 'atlassian-connect-next/prisma';
import { createTestRuntime } from 'atlassian-connect-next/testing';

/** Data for the data lifecycle suites (retention, purge, GDPR): a site with a row in every per-tenant table. */

/** One key for every test store, so secrets sealed through one can be read through another. */
export const TEST_SECRET_KEY = randomBytes(32);

/** The framework's tenant store over this database (secrets sealed with TEST_SECRET_KEY). */
export function tenantStore(prisma: PrismaClient) {
  return createTestRuntime({ store: new PrismaTenantStore(prisma), secretKey: TEST_SECRET_KEY }).store;
}

export interface SeededSite {
  clientKey: string;
  baseUrl: string;
  sharedSecret: string;
  accounts: string[];
}

/** Installs a site at `installedAt` and gives it a row in every per-tenant table. */
export async function seedSite(
  prisma: PrismaClient,
  installedAt: Date,
  opts: { baseUrl?: string; accounts?: string[]; sharedSecret?: string; productType?: string } = {},
): Promise<SeededSite> {
  const clientKey = `ck-${randomUUID()}`;
  const sharedSecret = opts.sharedSecret ?? randomBytes(32).toString('base64url');
  const baseUrl = opts.baseUrl ?? `https://site-${clientKey.slice(3, 11)}.atlassian.net`;
  const accounts = opts.accounts ?? [`acc-${randomUUID()}`, `acc-${randomUUID()}`];
  await tenantStore(prisma).upsertInstall(
    { clientKey, appKey: 'com.example.connect-checklists', sharedSecret, baseUrl, productType: opts.productType ?? 'jira' },
    installedAt,
  );
  const [a, b = a] = accounts as [string, string?];
  await prisma.tenantSettings.create({ data: { clientKey, data: { template: ['Step'] }, updatedBy: a } });
  await prisma.checklistItem.create({
    data: { id: randomUUID(), clientKey, issueId: '10001', text: 'Write tests', position: 1, createdBy: a, checked: true, checkedBy: b, checkedAt: installedAt },
  });
  await prisma.checklistItem.create({ data: { id: randomUUID(), clientKey, issueId: '10001', text: 'Ship', position: 2, createdBy: b } });
  await prisma.checklistState.create({ data: { clientKey, issueId: '10001' } });
  for (const acc of accounts) {
    await prisma.userPreference.create({ data: { clientKey, accountId: acc, data: { compact: true } } });
    await prisma.userProfileCache.create({ data: { clientKey, accountId: acc, displayName: `Name of ${acc}`, fetchedAt: installedAt } });
  }
  await prisma.productCache.create({ data: { clientKey, key: 'license', value: { active: true }, fetchedAt: installedAt } });
  await tenantStore(prisma).recordLifecycle({ event: 'installed', clientKey, outcome: 'accepted' });
  return { clientKey, baseUrl, sharedSecret, accounts };
}

/** Rows per table for one site (every table keyed by clientKey). */
export async function rowsFor(prisma: PrismaClient, clientKey: string): Promise<Record<string, number>> {
  const where = { clientKey };
  return {
    tenant: await prisma.tenant.count({ where }),
    settings: await prisma.tenantSettings.count({ where }),
    items: await prisma.checklistItem.count({ where }),
    states: await prisma.checklistState.count({ where }),
    prefs: await prisma.userPreference.count({ where }),
    profiles: await prisma.userProfileCache.count({ where }),
    productCache: await prisma.productCache.count({ where }),
    lifecycle: await prisma.lifecycleEvent.count({ where }),
  };
}

export const DAY = 86_400_000;

/** A logger that keeps lines for assertions (and proves no personal data is logged). */
export function memoryLog() {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), text: () => JSON.stringify(lines) };
}
