import type { Tenant } from '../tenants/types';
import type { CallAuth } from './call-auth';
import { ProductApiError } from './errors';
import { forgeAuth, isAtlassianApiGateway, type ForgeCredentials } from './forge-auth';
import { DEFAULT_MAX_RESPONSE_BYTES, type FetchLike } from './http';
import { UserTokenProvider } from './oauth';
import { executeRequest, type PipelineDeps } from './pipeline';
import { TenantPolicyRegistry, type BreakerEvent, type BreakerOptions, type BulkheadOptions } from './policies';
import { ATLASSIAN_RETRY, type RetryOptions } from './retry-delay';
import { callScopes, MemoryRateLimitState, scopeKeys, type LimitKind, type RateLimitState } from './rate-limits';
import { RatePacer, type PacingOptions } from './rate-pacer';
import type { CallIdentity, ProductLogger, ProductObserver, ProductResponse, RequestOptions } from './types';

/**
 * The resilient product REST client of `lib/connect`: one per process, shared by every
 * tenant. Create it once where the app wires its runtime, then per call pick the tenant and
 * who the call acts as:
 *
 * ```ts
 * const product = createProductClient({
 *   appKey: env.APP_KEY,
 *   resolveTenant: async (ck) => (await runtime().tenants.get(ck))?.tenant ?? null,
 *   authServerUrl: env.OAUTH_AUTH_SERVER_URL,
 *   timeoutMs: env.PRODUCT_API_TIMEOUT_MS,
 *   isAllowedBaseUrl: (u) => isAllowedProductUrl(u, env.ALLOWED_PRODUCT_HOSTS),
 *   log: log(),
 * });
 * const issue = await getIssue(product.asApp(ctx.clientKey), 'ABC-1', { fields: ['summary'] });
 * const me = await getMyself(product.asUser(ctx.clientKey, ctx.accountId!));
 * ```
 *
 * Every call has a deadline, retries 429/503 per Atlassian's algorithm only when idempotent
 * and only when the retry fits the deadline, and goes through the tenant's circuit breaker and
 * bulkhead. Failures are {@link ProductApiError}s with a stable `kind`.
 */
export interface ProductClientOptions {
  /** The app key (`iss` of app tokens). */
  appKey: string;
  /**
   * Looks the tenant up on every call (so the CURRENT baseUrl and secret are used). Pass the
   * runtime's TenantCache; return null when unknown.
   */
  resolveTenant: (clientKey: string) => Promise<Tenant | null>;
  /** OAuth 2 authorization server for user impersonation (env OAUTH_AUTH_SERVER_URL). */
  authServerUrl: string;
  /** Default deadline of a call in ms (env PRODUCT_API_TIMEOUT_MS). */
  timeoutMs: number;
  /** Atlassian's retry algorithm by default; override for tests or background jobs. */
  retry?: Partial<RetryOptions>;
  breaker?: Partial<BreakerOptions>;
  bulkhead?: Partial<BulkheadOptions>;
  /** Refuse to send a tenant's credentials to a baseUrl outside the allow-list (defence in depth). */
  isAllowedBaseUrl?: (baseUrl: string) => boolean;
  /** Lifetime of app tokens, at most 180 s. */
  appTokenTtlSeconds?: number;
  /** Refresh user tokens this long before expiry. Default 60 s. */
  tokenRefreshSkewMs?: number;
  /** A retry is only scheduled if at least this much of the deadline is left after its delay. Default 100 ms. */
  minAttemptMs?: number;
  maxResponseBytes?: number;
  /** Observes breaker transitions (logged at warn/info when `log` is given). */
  onBreakerEvent?: (e: BreakerEvent) => void;
  /** Observes every attempt and every wait before a retry (metrics). */
  observer?: ProductObserver;
  /**
   * Where rate-limit pauses live (rate-limits.ts). Default: this process only. Give several
   * instances one `SqlRateLimitState` on their shared database so a limit one of them hits
   * pauses that scope for all.
   */
  rateLimits?: RateLimitState;
  /**
   * After an answer with `X-RateLimit-NearLimit: true` (under 20 % of a limit left), no call
   * goes to that endpoint and method for this long (default 1000 ms, Jira's burst window; 0: off).
   */
  nearLimitPauseMs?: number;
  /**
   * Pace before any 429 (rate-pacer.ts): every call spends from its budgets (endpoint burst, the
   * issue's writes, the site's quota, the app-wide pool) and waits or is refused when one is
   * spent. `false`: off (the client only reacts to 429s). Default: on, budgets in this process;
   * give several instances one `SqlBudgetStore` (`{ store }`) so they share one budget.
   */
  pacing?: PacingOptions | RatePacer | false;
  fetch?: FetchLike;
  /** Clock for token expiry and deadlines (tests). */
  now?: () => number;
  /** Waits out a rate-limit pause (tests, with `now`). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Random source for jitter (tests). */
  random?: () => number;
  log?: ProductLogger;
}

/** Calls the product for one tenant as one identity. Cheap to create; create per request. */
export interface ProductRequester {
  readonly clientKey: string;
  readonly identity: CallIdentity;
  /** Full control: status, headers and body (e.g. to read a `Cycle-Period` header). */
  request<T = unknown>(path: string, opts?: RequestOptions<T>): Promise<ProductResponse<T>>;
  get<T = unknown>(path: string, opts?: Omit<RequestOptions<T>, 'method' | 'body'>): Promise<T>;
  post<T = unknown>(path: string, body: unknown, opts?: Omit<RequestOptions<T>, 'method' | 'body'>): Promise<T>;
  put<T = unknown>(path: string, body: unknown, opts?: Omit<RequestOptions<T>, 'method' | 'body'>): Promise<T>;
  delete<T = unknown>(path: string, opts?: Omit<RequestOptions<T>, 'method' | 'body'>): Promise<T>;
  /** The tenant as currently stored (e.g. for productType); `not_installed` when gone. */
  tenant(): Promise<Tenant>;
}

export class ProductClient {
  private readonly deps: PipelineDeps;
  private readonly policies: TenantPolicyRegistry;
  private readonly tokens: UserTokenProvider;

  constructor(readonly options: ProductClientOptions) {
    const now = options.now ?? Date.now;
    const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const log = options.log;
    this.policies = new TenantPolicyRegistry(
      { failureThreshold: 5, halfOpenAfterMs: 30_000, ...options.breaker },
      { maxConcurrent: 10, maxQueued: 4 * (options.bulkhead?.maxConcurrent ?? 10), ...options.bulkhead },
      (e) => {
        if (log) (e.state === 'open' ? log.warn : log.info).call(log, e, `product circuit ${e.state}`);
        options.onBreakerEvent?.(e);
      },
    );
    this.tokens = new UserTokenProvider({
      authServerUrl: options.authServerUrl,
      fetch: fetchImpl,
      now,
      refreshSkewMs: options.tokenRefreshSkewMs,
      maxResponseBytes,
      grantTimeoutMs: options.timeoutMs,
    });
    this.deps = {
      appKey: options.appKey,
      resolveTenant: options.resolveTenant,
      isAllowedBaseUrl: options.isAllowedBaseUrl,
      policies: this.policies,
      tokens: this.tokens,
      retry: { ...ATLASSIAN_RETRY, ...options.retry },
      timeoutMs: options.timeoutMs,
      minAttemptMs: options.minAttemptMs ?? 100,
      appTokenTtlSeconds: options.appTokenTtlSeconds,
      maxResponseBytes,
      fetch: fetchImpl,
      now,
      random: options.random ?? Math.random,
      log,
      observer: options.observer,
      limits: options.rateLimits ?? new MemoryRateLimitState(),
      nearLimitPauseMs: options.nearLimitPauseMs ?? 1_000,
      sleep: options.sleep,
      pacer: options.pacing === false ? undefined : options.pacing instanceof RatePacer ? options.pacing : new RatePacer(options.pacing),
    };
  }

  /** Calls as the app itself (JWT with qsh). Needs the scopes the descriptor declares. */
  asApp(clientKey: string): ProductRequester {
    return this.requester(clientKey, { kind: 'app' });
  }

  /**
   * Calls as a user (OAuth 2 JWT bearer grant; the descriptor needs ACT_AS_USER). `scopes`
   * default to READ; tokens are cached per (tenant, user, scopes).
   */
  asUser(clientKey: string, accountId: string, scopes: readonly string[] = ['READ']): ProductRequester {
    if (!accountId) throw new TypeError('asUser needs an accountId');
    return this.requester(clientKey, { kind: 'user', accountId, scopes });
  }

  /**
   * Calls for a Forge-adopted site with the tokens of one Forge invocation (forge-auth.ts),
   * against the API base URL it named: `asApp()` with the system token, `asUser()` with the
   * user token (a ForgeTokenError when the invocation has none: never a call as the app).
   * `clientKey` is the site's Connect tenant, so deadlines, retries, breaker, bulkhead and
   * rate-limit pauses are the same ones its Connect calls use. The API base URL must be Atlassian's
   * gateway (https://api.atlassian.com) or a host `isAllowedBaseUrl` accepts.
   */
  forge(clientKey: string, creds: ForgeCredentials): { asApp(): ProductRequester; asUser(): ProductRequester } {
    const allowed = this.options.isAllowedBaseUrl;
    const deps = { now: this.deps.now, isAllowedApiBaseUrl: (u: string) => isAtlassianApiGateway(u) || (allowed?.(u) ?? false) };
    const init = { clientKey };
    return {
      asApp: () => this.requester(clientKey, { kind: 'app' }, forgeAuth(deps, creds, 'system', init)),
      // Without a user token every call fails with ForgeTokenError('user', 'missing'), before anything is sent.
      asUser: () => this.requester(clientKey, { kind: 'user', accountId: creds.accountId ?? '', scopes: [] }, forgeAuth(deps, creds, 'user', init)),
    };
  }

  /** The tenant's circuit state ('closed' when never called). */
  circuitState(clientKey: string): 'closed' | 'open' | 'half_open' {
    return this.policies.state(clientKey);
  }

  /** How many sites' circuits are open or half open right now (metrics: no per-site labels). */
  circuitCounts(): { open: number; half_open: number } {
    return this.policies.counts();
  }

  /**
   * The rate-limit pause in force now for a site (its quota, or the app-wide pool), or for one
   * call of it when `call` is given (then also its endpoint and, for a write, its issue): when it
   * ends (epoch ms), which limit, and the product's `RateLimit-Reason`. Null when nothing is
   * paused. Read from the shared state, so it knows what any instance was told; pages use it to
   * say "Jira is limiting requests", jobs to wait for the reset rather than fail.
   */
  async rateLimitPause(clientKey: string, call?: { method: string; path: string }): Promise<{ limit: LimitKind; until: number; reason: string } | null> {
    const scopes = callScopes(clientKey, call?.method ?? 'GET', (call?.path ?? '/').split('?')[0] ?? '/');
    const keys = call ? scopeKeys(scopes) : [scopes.app, scopes.site];
    const p = await this.deps.limits.paused(keys, this.deps.now());
    if (!p) return null;
    const limit: LimitKind = p.key === scopes.app ? 'app' : p.key === scopes.site ? 'site' : p.key === scopes.issue ? 'issue' : 'burst';
    return { limit, until: p.until, reason: p.reason };
  }

  /** Forgets a tenant's user tokens and breaker/bulkhead state (on uninstall or secret rotation). */
  forgetTenant(clientKey: string): void {
    this.tokens.forgetTenant(clientKey);
    this.policies.forget(clientKey);
  }

  private requester(clientKey: string, identity: CallIdentity, auth?: CallAuth): ProductRequester {
    const deps = this.deps;
    const request = <T>(path: string, opts: RequestOptions<T> = {}) => executeRequest<T>(deps, clientKey, identity, path, opts, auth);
    return {
      clientKey,
      identity,
      request,
      get: async (path, opts) => (await request(path, { ...opts, method: 'GET' })).body,
      post: async (path, body, opts) => (await request(path, { ...opts, method: 'POST', body })).body,
      put: async (path, body, opts) => (await request(path, { ...opts, method: 'PUT', body })).body,
      delete: async (path, opts) => (await request(path, { ...opts, method: 'DELETE' })).body,
      tenant: async () => {
        const t = await deps.resolveTenant(clientKey);
        if (!t || t.uninstalledAt) throw new ProductApiError('not_installed', 'tenant unknown or uninstalled', { clientKey });
        return t;
      },
    };
  }
}

export function createProductClient(options: ProductClientOptions): ProductClient {
  return new ProductClient(options);
}
