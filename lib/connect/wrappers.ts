import { authenticateApi, authenticatePage, cleanScope, type ApiAuthOptions, type ProductScope, type RequestContext } from './auth';
import type { LifecycleEventName } from './descriptor';
import { errorBody, toConnectError } from './errors';
import { frameAncestors } from './hosts';
import { handleLifecycle } from './lifecycle';
import { answerFor } from './response';
import { checkScope, checkSession, type Policy, type PolicyName, type ScopeRule } from './policies';
import type { ConnectRuntime } from './runtime';

/**
 * Route wrappers for fetch-style handlers (Next.js App Router route handlers): one per token
 * kind. Each resolves the tenant and claims, applies the route's declared policies, maps every
 * failure to a status and a short JSON error, and adds security headers.
 */

export type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> };
export type ConnectContext = RequestContext & { sessionToken?: string };
export type ConnectHandler = (req: Request, ctx: ConnectContext, route: RouteParams) => Promise<Response> | Response;
export type RouteHandler = (req: Request, route: RouteParams) => Promise<Response>;

export interface PolicyOptions {
  /** Policies checked in order after authentication (see policies.ts); the first refusal answers. */
  require?: readonly PolicyName[];
  /** Binds a route parameter to where the token was issued (e.g. `issue`: `issueId` is the token's issue). */
  scope?: ScopeRule;
  /**
   * Only a session token the app issued for one of these modules (e.g. its admin page), at most
   * `maxAgeSeconds` old: destructive actions must come from the page built for them, recently.
   */
  session?: { modules: readonly string[]; maxAgeSeconds?: number };
}

export interface PageOptions {
  /** The module the page serves; its session token carries it. */
  module?: string;
  /** Where in the product the page was loaded, read from the signed (qsh-covered) URL. */
  scope?: (url: URL) => Record<string, unknown>;
  require?: readonly PolicyName[];
}

export function errorResponse(rt: Pick<ConnectRuntime, 'log'>, err: unknown, headers?: HeadersInit): Response {
  const e = toConnectError(err);
  if (e.status >= 500) rt.log.error({ code: e.code, detail: e.message }, 'request failed');
  const res = Response.json(errorBody(e), { status: e.status, headers });
  res.headers.set('Cache-Control', 'no-store');
  if (e.status === 401) res.headers.set('WWW-Authenticate', 'JWT realm="connect"');
  if (e.status === 429 && !res.headers.has('Retry-After')) res.headers.set('Retry-After', '1');
  return res;
}

function withHeaders(res: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) if (!res.headers.has(k)) res.headers.set(k, v);
  return res;
}

export interface WrapperOptions extends ApiAuthOptions {
  policies: Record<string, Policy>;
}

export function createRouteWrappers(rt: ConnectRuntime, opts: WrapperOptions) {
  const base = () => ({ 'Cache-Control': 'no-store' });
  // One CSP string per product origin, not one per page load.
  const csp = new Map<string, string>();
  const frameHeaders = (tenantBaseUrl?: string) => {
    const key = tenantBaseUrl ?? '';
    let value = csp.get(key);
    if (!value) {
      value = frameAncestors(rt.config.allowedProductHosts, tenantBaseUrl);
      if (csp.size > 10_000) csp.clear();
      csp.set(key, value);
    }
    return { ...base(), 'Content-Security-Policy': value };
  };

  /** Resolves the declared policies once, when the route is defined: a typo fails at start, not per request. */
  const policiesFor = (names: readonly PolicyName[] = []): Policy[] =>
    names.map((n) => {
      const p = opts.policies[n];
      if (!p) throw new Error(`unknown policy "${n}": declare it in createConnect({ policies })`);
      return p;
    });

  const enforce = async (policies: Policy[], o: PolicyOptions, ctx: RequestContext, req: Request, route: RouteParams) => {
    if (o.session) checkSession(o.session, ctx, rt.now());
    if (o.scope) checkScope(o.scope, ctx, await route.params);
    for (const p of policies) await p(ctx, req);
  };

  return {
    /** POST /lifecycle/{event}: exactly one token kind per event (see lifecycle.ts). */
    lifecycleRoute(event: LifecycleEventName) {
      return async (req: Request): Promise<Response> => {
        try {
          await handleLifecycle(rt, event, req);
          return new Response(null, { status: 204, headers: base() });
        } catch (err) {
          // A client's mistake or a failed check: never 500 unless it really is ours.
          return errorResponse(rt, err, base());
        }
      };
    },

    /** Iframe pages loaded by the product: page JWT with computed qsh; issues a session token. */
    withPageAuth(handler: ConnectHandler, o: PageOptions = {}): RouteHandler {
      const policies = policiesFor(o.require);
      return async (req, route) => {
        let ctx: RequestContext;
        try {
          ctx = await authenticatePage(rt, req, { allowQueryToken: true });
        } catch (err) {
          return errorResponse(rt, err, frameHeaders());
        }
        try {
          // The signed (qsh-covered) URL names where the page was loaded; the session keeps it.
          const scope: ProductScope | undefined = o.scope ? cleanScope(o.scope(new URL(req.url))) : undefined;
          if (scope) ctx = { ...ctx, scope };
          await enforce(policies, {}, ctx, req, route);
          const sessionToken = await rt.sessions.issue({
            clientKey: ctx.clientKey,
            accountId: ctx.accountId,
            lic: ctx.license.param,
            loc: ctx.locale,
            tz: ctx.timeZone,
            mod: o.module,
            scp: scope as Record<string, string> | undefined,
          });
          return answerFor(req, withHeaders(await handler(req, { ...ctx, sessionToken }, route), frameHeaders(ctx.tenant.baseUrl)));
        } catch (err) {
          return errorResponse(rt, err, frameHeaders(ctx.tenant.baseUrl));
        }
      };
    },

    /** Webhooks from the product: `Authorization: JWT` with computed qsh, no query token. */
    withWebhookAuth(handler: ConnectHandler, o: PolicyOptions = {}): RouteHandler {
      const policies = policiesFor(o.require);
      return async (req, route) => {
        try {
          const ctx = await authenticatePage(rt, req, { allowQueryToken: false });
          await enforce(policies, o, ctx, req, route);
          return answerFor(req, withHeaders(await handler(req, ctx, route), base()));
        } catch (err) {
          return errorResponse(rt, err, base());
        }
      };
    },

    /** The app's JSON API for its iframes: session token or context JWT, then the route's policies. */
    withApiAuth(handler: ConnectHandler, o: PolicyOptions = {}): RouteHandler {
      const policies = policiesFor(o.require);
      return async (req, route) => {
        try {
          const ctx = await authenticateApi(rt, req, opts);
          await enforce(policies, o, ctx, req, route);
          return answerFor(req, withHeaders(await handler(req, ctx, route), base()));
        } catch (err) {
          return errorResponse(rt, err, base());
        }
      };
    },
  };
}

export type RouteWrappers = ReturnType<typeof createRouteWrappers>;
