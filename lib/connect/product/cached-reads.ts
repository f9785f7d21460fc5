import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { lruClock } from '../clock';
import { within } from './budget';
import type { ProductClient } from './client';
import { ProductApiError } from './errors';
import { appLicenseSchema, checkGlobalPermission, getAppLicense, getIssueSummary, getUser, issueSummarySchema, type AppLicense, type IssueSummary } from './reads';
import { SwrCache, type Cached } from './swr-cache';

/**
 * The product reads a Connect app renders, cached: a page asks, gets the last good value at once
 * when there is one (flagged `stale`, with `error` when the site is failing) while the cache
 * refreshes in the background; with nothing cached it waits at most its render budget.
 *
 * ```ts
 * const { reads } = createConnect({ ... });
 * const lic = await reads.appLicense(ctx.clientKey);                       // license details
 * const { names, incomplete } = await reads.displayNames(ctx.clientKey, ids); // who did what
 * if (await reads.isSiteAdmin(ctx.clientKey, ctx.accountId)) { ... }       // Jira ADMINISTER
 * ```
 * Display names are personal data: they live in the `people` cache, whose store (if any) the
 * app's personal data reporting must cover.
 */
export interface CachedReadsOptions {
  appKey: string;
  /** General reads (license, issue summaries); its store may be the ProductCache table. */
  cache: SwrCache;
  /** Display names (personal data). Default: memory only, never persisted. */
  people?: SwrCache;
  /** How long a read with nothing cached waits for the product before answering without it. */
  renderBudgetMs: number;
  /** How long a site-admin answer is trusted. Default 60 s: a demoted admin loses access within it. */
  adminTtlMs?: number;
  /**
   * How long the app's license answer is fresh (default 5 min): a license revoked in the product
   * ends sessions signed as licensed within this window (the first call after it refreshes in the
   * background). Each refresh is one product call per site.
   */
  licenseFreshMs?: number;
  now?: () => number;
}

export interface ReadCallOptions {
  /** Wait at most this long for a read that has to ask the product (default: the render budget). */
  budgetMs?: number;
}

export const cacheKeys = {
  user: (accountId: string) => `user:${accountId}`,
  issue: (idOrKey: string) => `issue:${idOrKey}`,
  license: (appKey: string) => `license:${appKey}`,
} as const;

/** A display name, or null when the product says the account does not exist. */
export const displayNameSchema = z.object({ accountId: z.string().min(1), displayName: z.string().max(255).nullable() });
export type DisplayName = z.infer<typeof displayNameSchema>;

const LICENSE_FRESH_MS = 5 * 60_000;
const LICENSE_STALE_LIMIT_MS = 60 * 60_000;
const NAME_FRESH_MS = 24 * 60 * 60_000;
const MAX_NAMES = 500;

export class CachedProductReads {
  private readonly admins: LRUCache<string, boolean>;
  private readonly people: SwrCache;
  private readonly now: () => number;
  private readonly licenseFreshMs: number;

  constructor(
    private readonly client: ProductClient,
    private readonly opts: CachedReadsOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.licenseFreshMs = opts.licenseFreshMs ?? LICENSE_FRESH_MS;
    this.people = opts.people ?? new SwrCache({ freshMs: NAME_FRESH_MS, now: opts.now });
    this.admins = new LRUCache({ max: 20_000, ttl: opts.adminTtlMs ?? 60_000, ...lruClock(opts.now) });
  }

  /**
   * The app's license details on the site (`/rest/atlassian-connect/1/addons/{appKey}`): fresh
   * for `licenseFreshMs` (five minutes); a failing refresh serves the last good answer for up to an hour.
   * Rejects (ProductApiError) only when there is no answer at all within the budget.
   */
  async appLicense(clientKey: string, call: ReadCallOptions = {}): Promise<Cached<AppLicense>> {
    const read = this.opts.cache.read(clientKey, cacheKeys.license(this.opts.appKey), () => getAppLicense(this.client.asApp(clientKey), this.opts.appKey), {
      schema: appLicenseSchema,
      freshMs: this.licenseFreshMs,
      maxStaleMs: LICENSE_STALE_LIMIT_MS,
    });
    return this.budgeted(read, call);
  }

  /**
   * Whether the product's last known answer says the license is gone (no waiting: a cached
   * answer only; a missing or stale one is refreshed in the background for the next call).
   */
  licenseRevoked(clientKey: string): boolean {
    const hit = this.opts.cache.peek<AppLicense>(clientKey, cacheKeys.license(this.opts.appKey));
    if (!hit || this.now() - hit.fetchedAt.getTime() >= this.licenseFreshMs) this.appLicense(clientKey, { budgetMs: 0 }).catch(() => undefined);
    return !!hit && hit.value.present && !hit.value.active;
  }

  /** An issue's key and summary (as the app). */
  issueSummary(clientKey: string, idOrKey: string, call: ReadCallOptions = {}): Promise<Cached<IssueSummary>> {
    const read = this.opts.cache.read(clientKey, cacheKeys.issue(idOrKey), () => getIssueSummary(this.client.asApp(clientKey), idOrKey), { schema: issueSummarySchema });
    return this.budgeted(read, call);
  }

  /**
   * Display names of several accounts within one budget. In `names`, null means the product
   * said the account does not exist; a missing id means its name could not be had now
   * (`incomplete`: show the rest with a quiet notice). What arrives late is cached for the next view.
   */
  async displayNames(clientKey: string, accountIds: readonly string[], call: ReadCallOptions = {}): Promise<{ names: Record<string, string | null>; incomplete: boolean }> {
    const ids = [...new Set(accountIds)].slice(0, MAX_NAMES);
    const names: Record<string, string | null> = {};
    let incomplete = false;
    const work = Promise.all(
      ids.map(async (id) => {
        try {
          const got = await this.people.read(clientKey, cacheKeys.user(id), () => this.loadName(clientKey, id), { schema: displayNameSchema, freshMs: NAME_FRESH_MS });
          names[id] = got.value.displayName;
        } catch (err) {
          if (!(err instanceof ProductApiError)) throw err;
          incomplete = true;
        }
      }),
    );
    const r = await within(work, call.budgetMs ?? this.opts.renderBudgetMs);
    if (!r.ok && !r.late) throw r.error;
    return { names: { ...names }, incomplete: incomplete || !r.ok || ids.some((id) => !(id in names)) };
  }

  /**
   * Whether the user holds Jira's ADMINISTER global permission, as the product says
   * (`POST /rest/api/3/permissions/check`). A "yes" is trusted for `adminTtlMs`; `fresh` asks
   * again (destructive actions). Failures are never cached and never count as "yes": they
   * reject with a ProductApiError.
   * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-permissions-check-post
   */
  async isSiteAdmin(clientKey: string, accountId: string | undefined, opts: { fresh?: boolean } = {}): Promise<boolean> {
    if (!accountId) return false;
    const key = `${clientKey}\u0001${accountId}`;
    if (!opts.fresh) {
      const hit = this.admins.get(key);
      if (hit !== undefined) return hit;
    }
    const admin = await checkGlobalPermission(this.client.asApp(clientKey), accountId, 'ADMINISTER');
    this.admins.set(key, admin);
    return admin;
  }

  /**
   * Drops what is cached about a site: in memory (a lifecycle event may change license and
   * admins), and with `persisted` also the stores (the site's data is being deleted).
   */
  async forgetTenant(clientKey: string, opts: { persisted?: boolean } = {}): Promise<void> {
    for (const k of this.admins.keys()) if (k.startsWith(`${clientKey}\u0001`)) this.admins.delete(k);
    const memoryOnly = !opts.persisted;
    await Promise.all([
      this.opts.cache.forgetTenant(clientKey, { memoryOnly }),
      this.people === this.opts.cache ? undefined : this.people.forgetTenant(clientKey, { memoryOnly }),
      // A reinstall may change the license: the stored answer goes too.
      memoryOnly ? this.opts.cache.invalidate(clientKey, cacheKeys.license(this.opts.appKey)) : undefined,
    ]);
  }

  /** Drops what is cached about one person on a site (GDPR: account closed or refreshed). */
  async forgetUser(clientKey: string, accountId: string): Promise<void> {
    this.admins.delete(`${clientKey}\u0001${accountId}`);
    await this.people.invalidate(clientKey, cacheKeys.user(accountId));
  }

  private async loadName(clientKey: string, accountId: string): Promise<DisplayName> {
    try {
      const u = await getUser(this.client.asApp(clientKey), accountId);
      return { accountId, displayName: u.displayName.slice(0, 255) };
    } catch (err) {
      // Deleted or never existed: known to be unknown (cached like a name).
      if (err instanceof ProductApiError && err.status === 404) return { accountId, displayName: null };
      throw err;
    }
  }

  private async budgeted<T>(read: Promise<Cached<T>>, call: ReadCallOptions): Promise<Cached<T>> {
    const r = await within(read, call.budgetMs ?? this.opts.renderBudgetMs);
    if (r.ok) return r.value;
    if (r.late) throw new ProductApiError('timeout', 'the product did not answer within the render budget');
    throw r.error;
  }
}
