import 'server-only';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { ConnectError } from '@/lib/connect/errors';
import type { Tenant } from '@/lib/connect/tenants/types';
import type { ProductPort } from '@/lib/app/product';

/**
 * "Is this user a site admin?" The product decides: POST /rest/api/3/permissions/check with the
 * global ADMINISTER permission for the accountId. The answer is cached briefly, so an admin
 * saving settings twice asks once, and a revoked admin loses access within a minute. Failures
 * are not cached and never count as "yes".
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-permissions-check-post
 */
const ADMIN_TTL_MS = 60_000;

const checkAnswer = z.object({ globalPermissions: z.array(z.string()).default([]) });

const cache = new LRUCache<string, boolean>({ max: 10_000, ttl: ADMIN_TTL_MS });

export async function isSiteAdmin(product: ProductPort, tenant: Tenant, accountId: string | undefined): Promise<boolean> {
  if (!accountId) return false;
  const key = `${tenant.clientKey}\u0001${accountId}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const res = await product.asApp<unknown>(tenant, '/rest/api/3/permissions/check', {
    method: 'POST',
    body: { accountId, globalPermissions: ['ADMINISTER'] },
  });
  if (res.status !== 200) throw new ConnectError('PRODUCT_UNAVAILABLE', `permissions/check answered ${res.status}`);
  const parsed = checkAnswer.safeParse(res.body);
  if (!parsed.success) throw new ConnectError('PRODUCT_UNAVAILABLE', 'permissions/check answer malformed');
  const admin = parsed.data.globalPermissions.includes('ADMINISTER');
  cache.set(key, admin);
  return admin;
}

/** Throws 403 ADMIN_REQUIRED unless the product says the caller is a site admin. */
export async function requireSiteAdmin(product: ProductPort, tenant: Tenant, accountId: string | undefined): Promise<void> {
  if (!(await isSiteAdmin(product, tenant, accountId))) {
    throw new ConnectError('ADMIN_REQUIRED', 'caller is not a site admin');
  }
}

/** Tests and lifecycle changes: forget cached answers for a site. */
export function forgetAdminAnswers(clientKey: string): void {
  for (const k of cache.keys()) if (k.startsWith(`${clientKey}\u0001`)) cache.delete(k);
}
