import { buildDescriptor, type AppDefinition, type LifecycleEventName } from './descriptor';
import { isAllowedProductUrl } from './hosts';
import { builtInPolicies, type Policy } from './policies';
import { CachedProductReads } from './product/cached-reads';
import { createProductClient, type ProductClient, type ProductClientOptions } from './product/client';
import { createLicenseResolver } from './product/license';
import { SwrCache, type SwrStore } from './product/swr-cache';
import { createRuntime, noopLogger, type ConnectConfig, type ConnectLogger, type ConnectRuntime } from './runtime';
import type { TenantChangeListener } from './tenants/events';
import type { Tenant, TenantStore } from './tenants/types';
import { createRouteWrappers, type RouteWrappers } from './wrappers';

/** Product sites that may install by default: Atlassian Cloud's own domains. */
export const ATLASSIAN_PRODUCT_HOSTS = ['*.atlassian.net', '*.jira.com', '*.jira-dev.com'] as const;

export interface ConnectOptions {
  /** The app's modules, scopes and links: the descriptor (and the Forge manifest) come from it. */
  app: AppDefinition;
  /** The app's public base URL (`https://` in production): the descriptor's baseUrl and every qsh's base. */
  baseUrl: string;
  /**
   * The app's one secret, 32 random bytes. The framework derives its own keys from it (HKDF):
   * one seals tenant shared secrets at rest, one signs the app's session tokens.
   */
  secretKey: Uint8Array;
  /** Where tenants are kept (`atlassian-connect-next/prisma` has a Prisma adapter). */
  store: TenantStore;
  /** Production: HTTPS only, and unlicensed when the product sends no `lic` (unless said otherwise). */
  production?: boolean;
  log?: ConnectLogger;
  /** The clock (tests). */
  now?: () => Date;
  auth?: {
    /** Clock leeway for `exp`/`iat`, seconds (default 30, max 180). */
    leewaySeconds?: number;
    /** Product sites that may install (default ATLASSIAN_PRODUCT_HOSTS); see hosts.ts. */
    allowedProductHosts?: readonly string[];
    /**
     * TLS-terminating proxies in front of the app whose `X-Forwarded-Proto` is trusted (`true` = 1).
     * In production at least one is required: the app itself speaks plain HTTP.
     */
    trustProxy?: boolean | number;
    /** Where signed-install public keys are fetched by `kid` (default Atlassian's CDN). */
    installKeysUrl?: string;
    /** Lifetime of the session tokens issued at page load (default 300 s; iframes then use context JWTs). */
    sessionTtlSeconds?: number;
    /** In-process tenant cache TTL (default 10 s; a rotated secret is re-read at once on a signature failure). */
    tenantCacheTtlMs?: number;
  };
  /** What a missing `lic` means (default: unlicensed in production, licensed otherwise). */
  licenseWhenAbsent?: 'licensed' | 'unlicensed';
  /** Locales the app serves; requests get the best match of `loc`, then Accept-Language. */
  locales?: { supported: readonly string[]; default: string };
  product?: Partial<Omit<ProductClientOptions, 'appKey' | 'resolveTenant' | 'log'>> & {
    /** How long a page's product read waits before answering without it (default 800 ms). */
    renderBudgetMs?: number;
    /** How long the product's license answer is trusted (default 5 min): a revoked license ends licensed sessions within it. */
    licenseFreshMs?: number;
    /** Persistent store for product reads (e.g. the ProductCache table); memory only when absent. */
    cacheStore?: SwrStore;
    /** Persistent store for display names (personal data: the app's GDPR reporting must cover it). */
    peopleStore?: SwrStore;
  };
  /** The app's own policies, usable by name in `require` beside the built-in ones. */
  policies?: Record<string, Policy>;
}

export interface Connect extends RouteWrappers {
  readonly config: ConnectConfig;
  /** The pieces the wrappers use (tenant cache, session tokens, install keys…), for advanced use and tests. */
  readonly runtime: ConnectRuntime;
  /** The product REST client the request path uses (deadlines, retries, breaker, bulkhead per site). */
  readonly product: ProductClient;
  /** Cached product reads: license details, display names, the site-admin check. */
  readonly reads: CachedProductReads;
  /** The Connect descriptor to serve at `/atlassian-connect.json`. */
  descriptor(): Record<string, unknown>;
  /** A tenant, cached (null when unknown); secrets decrypted in memory only. */
  tenant(clientKey: string): Promise<Tenant | null>;
  /** Subscribes a cache to tenant changes (lifecycle events, Forge links, `tenantChanged`). Returns the unsubscribe. */
  onTenantChange(listener: TenantChangeListener): () => void;
  /** The app changed something about a tenant itself (e.g. deleted its data): every subscriber is told. */
  tenantChanged(clientKey: string, reason: string): void;
  /**
   * Another product client with this app's settings (e.g. for background jobs, so a slow job
   * never queues behind page requests), with overrides.
   */
  productClient(overrides?: Partial<Omit<ProductClientOptions, 'appKey' | 'log'>>): ProductClient;
  /** The lifecycle route for one event name (`POST /lifecycle/{event}`). */
  lifecycle(event: LifecycleEventName): (req: Request) => Promise<Response>;
}

/**
 * The Connect framework for one app: builds the runtime (tenant store with sealed secrets,
 * tenant cache, install keys, session tokens), the product client and cached reads, the route
 * wrappers with their policies, and the descriptor. Call it once, from the app's composition root.
 *
 * ```ts
 * const connect = createConnect({ app, baseUrl, secretKey, store: new PrismaTenantStore(prisma) });
 * export const GET = connect.withApiAuth(handler, { require: ['writer'], scope: 'issue' });
 * ```
 */
export function createConnect(o: ConnectOptions): Connect {
  const production = o.production ?? false;
  const log = o.log ?? noopLogger;
  const leewaySeconds = o.auth?.leewaySeconds ?? 30;
  if (leewaySeconds < 0 || leewaySeconds > 180) throw new Error('auth.leewaySeconds must be between 0 and 180');
  const baseUrl = o.baseUrl.replace(/\/+$/, '');
  if (production && !baseUrl.startsWith('https://')) throw new Error(`baseUrl must start with https:// in production (got ${baseUrl})`);
  const allowedProductHosts = o.auth?.allowedProductHosts ?? ATLASSIAN_PRODUCT_HOSTS;
  const config: ConnectConfig = {
    appKey: o.app.key,
    baseUrl,
    production,
    leewaySeconds,
    allowedProductHosts,
    trustProxyHops: typeof o.auth?.trustProxy === 'number' ? o.auth.trustProxy : o.auth?.trustProxy ? 1 : 0,
    licenseWhenAbsent: o.licenseWhenAbsent ?? (production ? 'unlicensed' : 'licensed'),
    supportedLocales: o.locales?.supported ?? ['en'],
    defaultLocale: o.locales?.default ?? 'en',
  };
  const rt = createRuntime({
    config,
    secretKey: o.secretKey,
    store: o.store,
    log,
    now: o.now,
    installKeysUrl: o.auth?.installKeysUrl ?? 'https://connect-install-keys.atlassian.com',
    sessionTtlSeconds: o.auth?.sessionTtlSeconds ?? 300,
    tenantCacheTtlMs: o.auth?.tenantCacheTtlMs ?? 10_000,
  });

  const { renderBudgetMs = 800, licenseFreshMs, cacheStore, peopleStore, ...productOpts } = o.product ?? {};
  const clientOptions = (overrides: Partial<Omit<ProductClientOptions, 'appKey' | 'log'>> = {}): ProductClientOptions => ({
    authServerUrl: 'https://oauth-2-authorization-server.services.atlassian.com',
    timeoutMs: 5_000,
    isAllowedBaseUrl: (u) => isAllowedProductUrl(u, allowedProductHosts),
    resolveTenant: async (clientKey) => (await rt.tenants.get(clientKey))?.tenant ?? null,
    ...productOpts,
    ...overrides,
    appKey: config.appKey,
    log,
  });
  const product = createProductClient(clientOptions());
  const clock = o.now ? () => o.now!().getTime() : undefined;
  const reads = new CachedProductReads(product, {
    appKey: config.appKey,
    cache: new SwrCache({ freshMs: 60_000, store: cacheStore, now: clock, log }),
    people: new SwrCache({ freshMs: 60_000, store: peopleStore, now: clock, log }),
    renderBudgetMs,
    licenseFreshMs,
    now: clock,
  });
  // The framework's own caches follow tenant changes like any subscriber.
  rt.events.subscribe((clientKey) => {
    product.forgetTenant(clientKey);
    reads.forgetTenant(clientKey).catch((err: unknown) => log.warn({ err: String(err) }, 'product cache not cleared for a tenant'));
  });

  const policies = { ...builtInPolicies(() => reads), ...o.policies };
  const wrappers = createRouteWrappers(rt, {
    policies,
    // Context JWTs carry no `lic`: their license comes from the product's license API (cached),
    // never from anything the browser sends.
    resolveLicense: createLicenseResolver(reads, { whenAbsent: config.licenseWhenAbsent }),
    licenseRevoked: (tenant) => reads.licenseRevoked(tenant.clientKey),
  });
  const descriptor = buildDescriptor(o.app, baseUrl);

  return {
    ...wrappers,
    config,
    runtime: rt,
    product,
    reads,
    descriptor: () => structuredClone(descriptor),
    tenant: async (clientKey) => (await rt.tenants.get(clientKey))?.tenant ?? null,
    onTenantChange: (listener) => rt.events.subscribe(listener),
    tenantChanged: (clientKey, reason) => rt.tenantChanged(clientKey, reason),
    productClient: (overrides) => createProductClient(clientOptions(overrides)),
    lifecycle: (event) => wrappers.lifecycleRoute(event),
  };
}
