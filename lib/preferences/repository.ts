import 'server-only';
import { db } from '@/lib/db';
import { DEFAULT_PREFERENCES, preferencesSchema, type Preferences } from './schema';

/** UserPreference rows keyed by (clientKey, accountId): site first, then the person. */

export async function readPreferences(clientKey: string, accountId: string): Promise<Preferences> {
  const row = await (await db()).userPreference.findUnique({ where: { clientKey_accountId: { clientKey, accountId } } });
  const parsed = preferencesSchema.partial().safeParse(row?.data ?? {});
  return { ...DEFAULT_PREFERENCES, ...(parsed.success ? parsed.data : {}) };
}

/** Merges a partial change into the stored preferences (last write wins per key: they are one person's). */
export async function writePreferences(clientKey: string, accountId: string, change: Partial<Preferences>): Promise<Preferences> {
  const prisma = await db();
  return prisma.$transaction(async (tx) => {
    const row = await tx.userPreference.findUnique({ where: { clientKey_accountId: { clientKey, accountId } } });
    const current = preferencesSchema.partial().safeParse(row?.data ?? {});
    const next: Preferences = { ...DEFAULT_PREFERENCES, ...(current.success ? current.data : {}), ...change };
    await tx.userPreference.upsert({
      where: { clientKey_accountId: { clientKey, accountId } },
      create: { clientKey, accountId, data: next },
      update: { data: next },
    });
    return next;
  });
}
