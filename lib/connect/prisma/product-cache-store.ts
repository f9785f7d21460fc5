import type { SwrStore } from '../product/swr-cache';
import { resolver, type ConnectPrismaClient, type PrismaSource } from './client';

/**
 * {@link SwrStore} over the generic `ProductCache(clientKey, key, value, fetchedAt)` model of
 * connect.prisma, so the last good product reads survive a restart and are shared by instances.
 * Every query is scoped by clientKey; values are JSON, validated by the reader's schema on the
 * way back.
 */
export class PrismaProductCacheStore implements SwrStore {
  private readonly prisma: () => Promise<Pick<ConnectPrismaClient, 'productCache'>>;

  constructor(prisma: PrismaSource<Pick<ConnectPrismaClient, 'productCache'>>) {
    this.prisma = resolver(prisma);
  }

  async get(clientKey: string, key: string): Promise<{ value: unknown; fetchedAt: Date } | null> {
    const row = await (await this.prisma()).productCache.findUnique({ where: { clientKey_key: { clientKey, key } } });
    return row ? { value: row.value, fetchedAt: row.fetchedAt } : null;
  }

  async set(clientKey: string, key: string, value: unknown, fetchedAt: Date): Promise<void> {
    const json = value as never;
    // Last writer wins unless it is older: two instances refreshing at once keep the newer value.
    const p = await this.prisma();
    await p.productCache.upsert({ where: { clientKey_key: { clientKey, key } }, create: { clientKey, key, value: json, fetchedAt }, update: {} });
    await p.productCache.updateMany({ where: { clientKey, key, fetchedAt: { lte: fetchedAt } }, data: { value: json, fetchedAt } });
  }

  async delete(clientKey: string, key: string): Promise<void> {
    await (await this.prisma()).productCache.deleteMany({ where: { clientKey, key } });
  }

  async deleteTenant(clientKey: string): Promise<void> {
    await (await this.prisma()).productCache.deleteMany({ where: { clientKey } });
  }
}
