import 'server-only';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { ConnectError } from '@/lib/connect/errors';
import { licenseFromParam, type LicenseState } from '@/lib/connect/context';
import type { Tenant } from '@/lib/connect/tenants/types';
import type { ProductPort } from '@/lib/app/product';
import { renderBudgetMs, within } from '@/lib/app/render-budget';

/**
 * The app's license on a site, from the product's own API
 * (`GET /rest/atlassian-connect/1/addons/{appKey}`): used where no signed `lic` is at hand
 * (context-JWT API calls) and for what `lic` cannot say (evaluation). Fresh for five minutes;
 * after that a failed or slow refresh serves the last good answer for up to an hour.
 */
export interface AppLicense {
  /** `absent`: the product reports no license (free/private/development install). */
  param: 'active' | 'none' | 'absent';
  evaluation: boolean;
}

const FRESH_MS = 5 * 60_000;
const STALE_LIMIT_MS = 60 * 60_000;

const addonAnswer = z.object({
  license: z.object({ active: z.boolean(), evaluation: z.boolean().optional() }).passthrough().optional(),
});

interface Entry {
  value: AppLicense;
  at: number;
}
const cache = new LRUCache<string, Entry>({ max: 10_000 });

async function fetchLicense(product: ProductPort, tenant: Tenant, appKey: string): Promise<AppLicense> {
  const res = await product.asApp<unknown>(tenant, `/rest/atlassian-connect/1/addons/${encodeURIComponent(appKey)}`);
  if (res.status !== 200) throw new ConnectError('PRODUCT_UNAVAILABLE', `addons/{key} answered ${res.status}`);
  const parsed = addonAnswer.safeParse(res.body);
  if (!parsed.success) throw new ConnectError('PRODUCT_UNAVAILABLE', 'addons/{key} answer malformed');
  const lic = parsed.data.license;
  if (!lic) return { param: 'absent', evaluation: false };
  return { param: lic.active ? 'active' : 'none', evaluation: lic.active && lic.evaluation === true };
}

/** One refresh per site at a time; a success fills the cache whoever asked. */
const inflight = new Map<string, Promise<AppLicense>>();

function refresh(product: ProductPort, tenant: Tenant, appKey: string): Promise<AppLicense> {
  let p = inflight.get(tenant.clientKey);
  if (!p) {
    p = fetchLicense(product, tenant, appKey)
      .then((value) => {
        cache.set(tenant.clientKey, { value, at: Date.now() });
        return value;
      })
      .finally(() => inflight.delete(tenant.clientKey));
    p.catch(() => undefined); // a caller past its budget no longer listens
    inflight.set(tenant.clientKey, p);
  }
  return p;
}

/**
 * The license, fresh from cache or the product. With `staleAfterMs` a slow product is not
 * waited for beyond it when there is a last good answer (up to an hour old): that is served
 * while the refresh finishes in the background. With no answer at all it waits for the
 * product (its own deadline): the license decides what a caller may do.
 */
export async function appLicense(product: ProductPort, tenant: Tenant, appKey: string, opts: { staleAfterMs?: number; now?: number } = {}): Promise<AppLicense> {
  const now = opts.now ?? Date.now();
  const hit = cache.get(tenant.clientKey);
  if (hit && now - hit.at < FRESH_MS) return hit.value;
  const work = refresh(product, tenant, appKey);
  if (!hit || now - hit.at >= STALE_LIMIT_MS) return work;
  const r = await within(work, opts.staleAfterMs ?? Infinity);
  return r.ok ? r.value : hit.value;
}

/**
 * License for an API call authenticated by a context JWT (which carries no `lic`). If the
 * product cannot be asked and nothing is cached, the configured policy for an absent `lic`
 * applies (unlicensed in production): reads go on, writes wait for the product.
 */
export async function resolveApiLicense(
  product: ProductPort,
  tenant: Tenant,
  appKey: string,
  whenAbsent: 'licensed' | 'unlicensed',
): Promise<LicenseState> {
  try {
    const lic = await appLicense(product, tenant, appKey, { staleAfterMs: renderBudgetMs() });
    return licenseFromParam(lic.param === 'absent' ? null : lic.param, whenAbsent);
  } catch {
    return licenseFromParam(null, whenAbsent);
  }
}

export function forgetLicense(clientKey: string): void {
  cache.delete(clientKey);
}
