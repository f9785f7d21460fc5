/**
 * `atlassian-connect-next/prisma`: storage adapters over Prisma. The app's schema must include
 * the models of `connect.prisma` (in this folder) and its migrations must create their tables;
 * the adapters are typed against the small structural {@link ConnectPrismaClient}, so any client
 * generated from such a schema fits.
 */
export { PrismaTenantStore } from './tenant-store';
export { PrismaForgeInstallations } from './forge-installation-store';
export { PrismaProductCacheStore } from './product-cache-store';
export type { ConnectPrismaClient, PrismaSource, TenantRow, ProductCacheRow } from './client';
