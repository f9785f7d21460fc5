import 'server-only';
import { createConnect, SqlBudgetStore, SqlRateLimitState, type Connect, type ProductObserver } from 'atlassian-connect-next';
import { PrismaProductCacheStore, PrismaTenantStore } from 'atlassian-connect-next/prisma';
import type { Database } from '@/lib/db';
import type { Env } from '@/lib/env';
import type { Logger } from '@/lib/log';
import { userProfileStore } from '@/lib/checklists/people-store';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES } from '@/lib/i18n/locales';
import { appDefinition } from './definition';
import { loadMasterKey } from './master-key';

/**
 * The app's Connect instance from its configuration: built once by the composition root, and by
 * command-line tools that act for installed sites (`npm run backfill:properties`).
 */
export function createAppConnect(env: Env, log: Logger, db: Pick<Database, 'prisma' | 'runner'> & Partial<Pick<Database, 'embedded'>>, observer?: ProductObserver): Connect {
  const { prisma } = db;
  return createConnect({
    app: appDefinition({ key: env.APP_KEY, name: env.APP_NAME, vendor: { name: env.APP_VENDOR_NAME, url: env.APP_VENDOR_URL } }),
    baseUrl: env.APP_BASE_URL,
    secretKey: loadMasterKey(env, log),
    store: new PrismaTenantStore(prisma),
    production: env.APP_ENV === 'production',
    log,
    auth: {
      leewaySeconds: env.JWT_LEEWAY_SECONDS,
      allowedProductHosts: env.ALLOWED_PRODUCT_HOSTS,
      trustProxy: env.TRUST_PROXY,
      installKeysUrl: env.CONNECT_KEYS_CDN_URL,
      sessionTtlSeconds: env.SESSION_TOKEN_TTL_SECONDS,
      tenantCacheTtlMs: env.TENANT_CACHE_TTL_MS,
    },
    licenseWhenAbsent: env.LICENSE_WHEN_ABSENT,
    locales: { supported: SUPPORTED_LOCALES, default: DEFAULT_LOCALE },
    product: {
      authServerUrl: env.OAUTH_AUTH_SERVER_URL,
      timeoutMs: env.PRODUCT_API_TIMEOUT_MS,
      breaker: { failureThreshold: env.PRODUCT_API_BREAKER_FAILURES, halfOpenAfterMs: env.PRODUCT_API_BREAKER_OPEN_MS },
      bulkhead: { maxConcurrent: env.PRODUCT_API_CONCURRENCY },
      renderBudgetMs: env.PRODUCT_RENDER_BUDGET_MS,
      licenseFreshMs: env.PRODUCT_LICENSE_FRESH_SECONDS * 1000,
      cacheStore: new PrismaProductCacheStore(prisma),
      peopleStore: userProfileStore(prisma),
      observer,
      // Rate-limit pauses in the database: every instance (and the next process after a restart)
      // leaves a limited scope alone until its reset. The embedded database has one instance: what
      // it read once at start it then knows from its own 429s, so it never reads the table again
      // (on a panel read, a query a second per site would be CPU on the request's thread).
      rateLimits: new SqlRateLimitState(db.runner, {
        ...(db.embedded ? { refreshMs: Number.POSITIVE_INFINITY } : {}),
        onError: (err) => log.warn({ err: (err as Error).message }, 'rate-limit pauses: database unavailable, using this instance\'s own'),
      }),
      // Pacing budgets: shared through PostgreSQL by every instance (leased in chunks, rate-pacer.ts);
      // the embedded database has one instance, whose budgets stay in its memory.
      pacing: {
        ...(db.embedded ? {} : { store: new SqlBudgetStore(db.runner) }),
        onError: (err) => log.warn({ err: (err as Error).message }, 'rate budgets: database unavailable, this instance paces alone'),
      },
    },
  });
}

/** How long after its end a rate-limit pause, or after its window a pacing budget, is kept (late readers, clock skew). */
const RATE_ROWS_KEPT_MS = 2 * 3_600_000;

/**
 * Deletes rate-limit pauses and pacing budgets that can no longer matter (one row per scope ever
 * paced or limited: per issue written, so without this the tables grow with every issue). Run
 * with the scheduled purge.
 */
export async function pruneRateLimitRows(db: Pick<Database, 'runner'>, now: Date): Promise<{ pauses: number; budgets: number }> {
  const before = now.getTime() - RATE_ROWS_KEPT_MS;
  const [pauses, budgets] = await Promise.all([new SqlRateLimitState(db.runner).prune(before), new SqlBudgetStore(db.runner).prune(before)]);
  return { pauses, budgets };
}
