import type { ProductClient } from './client';
import { ProductApiError } from './errors';
import {
  appLicenseSchema,
  getAppLicense,
  getIssueSummary,
  getUser,
  issueSummarySchema,
  userSchema,
  type AppLicense,
  type IssueSummary,
  type ProductUser,
} from './reads';
import type { Cached, SwrCache } from './swr-cache';

/**
 * The reads a page renders, behind the stale-while-revalidate cache: a panel asks, gets the
 * last good value at once when there is one (flagged `stale`, with `error` when the site is
 * failing), and the cache refreshes in the background.
 *
 * ```ts
 * const reads = new CachedProductReads(product, new SwrCache({ freshMs: 60_000, store }), { appKey });
 * const { value: issue, stale, error } = await reads.issueSummary(ctx.clientKey, issueId, { timeoutMs: 1000 });
 * ```
 * Display names are personal data: they are kept in memory only unless `persistUsers` is set
 * (then they sit in the store under `user:<accountId>` and the app's personal data reporting
 * must cover them; {@link CachedProductReads.forgetUser} erases one).
 */
export interface CachedReadsOptions {
  appKey: string;
  /** Fresh window per read kind, ms (defaults: the cache's). License details: a few minutes is plenty. */
  freshMs?: Partial<Record<'user' | 'issue' | 'license', number>>;
  /** Store display names in the persistent store too. Default false (personal data). */
  persistUsers?: boolean;
}

export interface ReadCallOptions {
  /** Deadline for a read that has to wait for the product (nothing cached yet). */
  timeoutMs?: number;
  deadline?: number;
  signal?: AbortSignal;
}

export const cacheKeys = {
  user: (accountId: string) => `user:${accountId}`,
  issue: (idOrKey: string) => `issue:${idOrKey}`,
  license: (appKey: string) => `license:${appKey}`,
} as const;

export class CachedProductReads {
  constructor(
    private readonly client: ProductClient,
    private readonly cache: SwrCache,
    private readonly opts: CachedReadsOptions,
  ) {}

  /** A user's display name and profile basics (as the app). */
  user(clientKey: string, accountId: string, call: ReadCallOptions = {}): Promise<Cached<ProductUser>> {
    return this.cache.read(clientKey, cacheKeys.user(accountId), (l) => getUser(this.client.asApp(clientKey), accountId, this.call(call, l)), {
      schema: userSchema,
      freshMs: this.opts.freshMs?.user,
      persist: this.opts.persistUsers ?? false,
    });
  }

  /**
   * Several users at once (a checklist with many authors). Each id resolves on its own: a
   * failure for one is returned as its ProductApiError, never failing the others.
   */
  async users(clientKey: string, accountIds: readonly string[], call: ReadCallOptions = {}): Promise<Map<string, Cached<ProductUser> | ProductApiError>> {
    const unique = [...new Set(accountIds)];
    const results = await Promise.all(
      unique.map((id) =>
        this.user(clientKey, id, call).catch((err: unknown) => {
          if (err instanceof ProductApiError) return err;
          throw err;
        }),
      ),
    );
    return new Map(unique.map((id, i) => [id, results[i]!]));
  }

  /** An issue's key and summary (as the app). */
  issueSummary(clientKey: string, idOrKey: string, call: ReadCallOptions = {}): Promise<Cached<IssueSummary>> {
    return this.cache.read(clientKey, cacheKeys.issue(idOrKey), (l) => getIssueSummary(this.client.asApp(clientKey), idOrKey, this.call(call, l)), {
      schema: issueSummarySchema,
      freshMs: this.opts.freshMs?.issue,
    });
  }

  /** The app's license details on the site (active, evaluation, type...). */
  appLicense(clientKey: string, call: ReadCallOptions = {}): Promise<Cached<AppLicense>> {
    return this.cache.read(clientKey, cacheKeys.license(this.opts.appKey), (l) => getAppLicense(this.client.asApp(clientKey), this.opts.appKey, this.call(call, l)), {
      schema: appLicenseSchema,
      freshMs: this.opts.freshMs?.license,
    });
  }

  /** Erases a user's cached profile (GDPR: account closed) from memory and the store. */
  forgetUser(clientKey: string, accountId: string): Promise<void> {
    return this.cache.invalidate(clientKey, cacheKeys.user(accountId));
  }

  // The caller's deadline bounds a read that waits; a background refresh of a stale value
  // outlives the request, so it runs on the client's default deadline and no request signal.
  private call(call: ReadCallOptions, load: { background: boolean }): ReadCallOptions {
    return load.background ? {} : call;
  }
}
