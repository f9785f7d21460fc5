import 'server-only';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { DEFAULT_PREFERENCES, preferencesSchema, type Preferences } from './schema';

/** UserPreference rows keyed by (clientKey, accountId): site first, then the person. */
export type PreferencesRepository = ReturnType<typeof createPreferencesRepository>;

export function createPreferencesRepository(prisma: PrismaClient) {
  return {
    async read(clientKey: string, accountId: string): Promise<Preferences> {
      const row = await prisma.userPreference.findUnique({ where: { clientKey_accountId: { clientKey, accountId } } });
      const parsed = preferencesSchema.partial().safeParse(row?.data ?? {});
      return { ...DEFAULT_PREFERENCES, ...(parsed.success ? parsed.data : {}) };
    },

    /** Merges a partial change into the stored preferences (last write wins per key: they are one person's). */
    async write(clientKey: string, accountId: string, change: Partial<Preferences>): Promise<Preferences> {
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
    },
  };
}
