import 'server-only';
import { cacheKeys, displayNameSchema, type SwrStore } from 'atlassian-connect-next';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/**
 * Where the framework's cached display names persist: the UserProfileCache table, which the
 * app's personal data reporting covers (lib/gdpr/personal-data.ts) and the retention purge
 * removes. Only real names are kept; "no such account" (null) lives in memory only.
 */
const USER_PREFIX = cacheKeys.user('');

export function userProfileStore(prisma: PrismaClient): SwrStore {
  const accountOf = (key: string) => (key.startsWith(USER_PREFIX) ? key.slice(USER_PREFIX.length) : null);
  return {
    async get(clientKey, key) {
      const accountId = accountOf(key);
      if (!accountId) return null;
      const row = await prisma.userProfileCache.findUnique({ where: { clientKey_accountId: { clientKey, accountId } } });
      return row ? { value: { accountId, displayName: row.displayName }, fetchedAt: row.fetchedAt } : null;
    },
    async set(clientKey, key, value, fetchedAt) {
      const accountId = accountOf(key);
      const parsed = displayNameSchema.safeParse(value);
      if (!accountId || !parsed.success) return;
      const displayName = parsed.data.displayName;
      if (displayName === null) {
        await prisma.userProfileCache.deleteMany({ where: { clientKey, accountId } });
        return;
      }
      await prisma.userProfileCache.upsert({
        where: { clientKey_accountId: { clientKey, accountId } },
        create: { clientKey, accountId, displayName, fetchedAt },
        update: { displayName, fetchedAt },
      });
    },
    async delete(clientKey, key) {
      const accountId = accountOf(key);
      if (accountId) await prisma.userProfileCache.deleteMany({ where: { clientKey, accountId } });
    },
    async deleteTenant(clientKey) {
      await prisma.userProfileCache.deleteMany({ where: { clientKey } });
    },
  };
}
