import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import type { SwrStore } from './swr-cache';

/**
 * {@link SwrStore} over the generic `ProductCache(clientKey, key, value, fetchedAt)` table, so
 * the last good product reads survive a restart and are shared by instances. Every query is
 * scoped by clientKey; values are JSON and are validated by the reader's schema on the way back.
 */
export class PrismaProductCacheStore implements SwrStore {
  constructor(private readonly prisma: () => Promise<PrismaClient>) {}

  async get(clientKey: string, key: string): Promise<{ value: unknown; fetchedAt: Date } | null> {
    const row = await (await this.prisma()).productCache.findUnique({
      where: { clientKey_key: { clientKey, key } },
      select: { value: true, fetchedAt: true },
    });
    return row ? { value: row.value, fetchedAt: row.fetchedAt } : null;
  }

  async set(clientKey: string, key: string, value: unknown, fetchedAt: Date): Promise<void> {
    const json = value as Prisma.InputJsonValue;
    // Last writer wins unless it is older: two instances refreshing at once keep the newer value.
    const prisma = await this.prisma();
    await prisma.productCache.upsert({
      where: { clientKey_key: { clientKey, key } },
      create: { clientKey, key, value: json, fetchedAt },
      update: {},
    });
    await prisma.productCache.updateMany({
      where: { clientKey, key, fetchedAt: { lte: fetchedAt } },
      data: { value: json, fetchedAt },
    });
  }

  async delete(clientKey: string, key: string): Promise<void> {
    await (await this.prisma()).productCache.deleteMany({ where: { clientKey, key } });
  }

  async deleteTenant(clientKey: string): Promise<void> {
    await (await this.prisma()).productCache.deleteMany({ where: { clientKey } });
  }
}
