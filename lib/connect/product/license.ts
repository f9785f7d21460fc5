import { licenseFromParam, type LicenseState } from '../context';
import type { Tenant } from '../tenants/types';
import type { CachedProductReads } from './cached-reads';
import { ProductApiError } from './errors';
import type { AppLicense } from './reads';

/**
 * License for requests that carry none. A context JWT from `AP.context.getToken()` has no
 * `lic`, so the app asks the product (`/rest/atlassian-connect/1/addons/{appKey}`, cached with
 * stale-while-revalidate) — a value the browser cannot change. createConnect plugs this into
 * its API wrapper. https://developer.atlassian.com/platform/marketplace/cloud-app-licensing/
 */

/** The product's answer as the framework's LicenseState (no license object: the absent-policy). */
export function licenseStateFromAppLicense(license: AppLicense, whenAbsent: 'licensed' | 'unlicensed'): LicenseState {
  if (!license.present) return licenseFromParam(null, whenAbsent);
  return licenseFromParam(license.active ? 'active' : 'none', whenAbsent);
}

export interface LicenseResolverOptions {
  /** LICENSE_WHEN_ABSENT: also what an unknown license means (production: unlicensed, fail closed). */
  whenAbsent: 'licensed' | 'unlicensed';
  /** Wait for the first lookup of a site at most this long (default: the reads' render budget). */
  budgetMs?: number;
  onError?: (err: ProductApiError, tenant: Tenant) => void;
}

/**
 * A license resolver backed by the product's license API. A stale cached answer is used while
 * it refreshes; with no answer at all (site down on first contact) the absent-policy applies,
 * so production fails closed: reads go on, writes wait for the product.
 */
export function createLicenseResolver(reads: CachedProductReads, opts: LicenseResolverOptions): (tenant: Tenant) => Promise<LicenseState> {
  return async (tenant) => {
    try {
      const cached = await reads.appLicense(tenant.clientKey, { budgetMs: opts.budgetMs });
      return licenseStateFromAppLicense(cached.value, opts.whenAbsent);
    } catch (err) {
      if (!(err instanceof ProductApiError)) throw err;
      opts.onError?.(err, tenant);
      return licenseFromParam(null, opts.whenAbsent);
    }
  };
}
