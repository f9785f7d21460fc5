/**
 * The part of a Prisma client the framework's adapters use, as a structural type: any client
 * generated from a schema that includes `connect.prisma` (this folder) satisfies it, whatever
 * else the app's schema holds. Nothing here imports the app's generated client.
 */

export interface TenantRow {
  clientKey: string;
  appKey: string;
  sharedSecretEnc: string;
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
  createdAt: Date;
  updatedAt: Date;
}

type TenantFields = Omit<TenantRow, 'createdAt' | 'updatedAt'>;
type Count = PromiseLike<{ count: number }>;

export interface TenantDelegate {
  findUnique(args: { where: { clientKey: string } }): PromiseLike<TenantRow | null>;
  findFirst(args: { where: { forgeInstallationId: string } }): PromiseLike<TenantRow | null>;
  findMany(args: { where: { cloudId?: string | null; productType?: string; baseUrl?: string }; take: number }): PromiseLike<TenantRow[]>;
  upsert(args: { where: { clientKey: string }; create: TenantFields | Omit<TenantFields, 'forgeInstallationId'>; update: Partial<TenantFields> }): PromiseLike<TenantRow>;
  updateMany(args: {
    where: { clientKey?: string; uninstalledAt?: null; cloudId?: null; forgeInstallationId?: string; NOT?: { clientKey: string } };
    data: Partial<TenantFields>;
  }): Count;
}

export interface LifecycleEventDelegate {
  create(args: { data: { event: string; clientKey: string | null; outcome: string; reason: string | null } }): PromiseLike<unknown>;
}

export interface ProductCacheRow {
  clientKey: string;
  key: string;
  value: unknown;
  fetchedAt: Date;
}

export interface ProductCacheDelegate {
  findUnique(args: { where: { clientKey_key: { clientKey: string; key: string } } }): PromiseLike<ProductCacheRow | null>;
  // `value` is JSON: the generated client types it as its InputJsonValue, which `never` accepts structurally.
  upsert(args: { where: { clientKey_key: { clientKey: string; key: string } }; create: { clientKey: string; key: string; value: never; fetchedAt: Date }; update: Record<string, never> }): PromiseLike<unknown>;
  updateMany(args: { where: { clientKey: string; key: string; fetchedAt: { lte: Date } }; data: { value: never; fetchedAt: Date } }): Count;
  deleteMany(args: { where: { clientKey: string; key?: string } }): Count;
}

/** What `atlassian-connect-next/prisma` needs of the app's PrismaClient. */
export interface ConnectPrismaClient {
  tenant: TenantDelegate;
  lifecycleEvent: LifecycleEventDelegate;
  productCache: ProductCacheDelegate;
  $transaction(ops: PromiseLike<unknown>[]): PromiseLike<unknown[]>;
}

/** The client, or a function that resolves it (e.g. a database opened lazily at first use). */
export type PrismaSource<C> = C | (() => Promise<C>);

export function resolver<C extends object>(source: PrismaSource<C>): () => Promise<C> {
  return typeof source === 'function' ? (source as () => Promise<C>) : async () => source;
}
