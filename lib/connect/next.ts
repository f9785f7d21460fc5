import { ConnectError, errorBody, toConnectError } from './errors';
import { authenticateApi, authenticatePage, cleanScope, type ApiAuthOptions, type RequestContext } from './auth';
import { handleLifecycle } from './lifecycle';
import type { LifecycleEventName } from './descriptor';
import { frameAncestors } from './hosts';
import type { ConnectRuntime } from './runtime';

/**
 * Route wrappers for Next.js App Router handlers: one per token kind. Each resolves the tenant
 * and claims, maps every failure to a status and a short JSON error, and adds security headers.
 */

type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> };
export type ConnectHandler = (req: Request, ctx: RequestContext & { sessionToken?: string }, route: RouteParams) => Promise<Response> | Response;

export function errorResponse(rt: Pick<ConnectRuntime, 'log'>, err: unknown, headers?: HeadersInit): Response {
  const e = toConnectError(err);
  if (e.status >= 500) rt.log.error({ code: e.code, detail: e.message }, 'request failed');
  const res = Response.json(errorBody(e), { status: e.status, headers });
  res.headers.set('Cache-Control', 'no-store');
  if (e.status === 401) res.headers.set('WWW-Authenticate', 'JWT realm="connect"');
  return res;
}

function withHeaders(res: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) if (!res.headers.has(k)) res.headers.set(k, v);
  return res;
}

export function createRouteWrappers(rt: ConnectRuntime, apiOpts: ApiAuthOptions = {}) {
  const base = () => ({ 'Cache-Control': 'no-store' });
  // One CSP string per product origin, not one per page load.
  const csp = new Map<string, string>();
  const frameHeaders = (tenantBaseUrl?: string) => {
    const key = tenantBaseUrl ?? '';
    let value = csp.get(key);
    if (!value) {
      value = frameAncestors(rt.config().allowedProductHosts, tenantBaseUrl);
      if (csp.size > 10_000) csp.clear();
      csp.set(key, value);
    }
    return { ...base(), 'Content-Security-Policy': value };
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
    withPageAuth(handler: ConnectHandler, opts: { module?: string; scope?: (url: URL) => Record<string, unknown> } = {}) {
      return async (req: Request, route: RouteParams): Promise<Response> => {
        let ctx: RequestContext;
        try {
          ctx = await authenticatePage(rt, req, { allowQueryToken: true });
        } catch (err) {
          return errorResponse(rt, err, frameHeaders());
        }
        try {
          // The signed (qsh-covered) URL names where the page was loaded; the session keeps it.
          const scope = opts.scope ? cleanScope(opts.scope(new URL(req.url))) : undefined;
          if (scope) ctx = { ...ctx, scope };
          const sessionToken = await rt.sessions.issue({
            clientKey: ctx.clientKey,
            accountId: ctx.accountId,
            lic: ctx.license.param,
            loc: ctx.locale,
            tz: ctx.timeZone,
            mod: opts.module,
            scp: scope as Record<string, string> | undefined,
          });
          return withHeaders(await handler(req, { ...ctx, sessionToken }, route), frameHeaders(ctx.tenant.baseUrl));
        } catch (err) {
          return errorResponse(rt, err, frameHeaders(ctx.tenant.baseUrl));
        }
      };
    },

    /** Webhooks from the product: `Authorization: JWT` with computed qsh, no query token. */
    withWebhookAuth(handler: ConnectHandler) {
      return async (req: Request, route: RouteParams): Promise<Response> => {
        try {
          const ctx = await authenticatePage(rt, req, { allowQueryToken: false });
          return withHeaders(await handler(req, ctx, route), base());
        } catch (err) {
          return errorResponse(rt, err, base());
        }
      };
    },

    /** The app's JSON API for its iframes: session token or context JWT. */
    withApiAuth(handler: ConnectHandler) {
      return async (req: Request, route: RouteParams): Promise<Response> => {
        try {
          const ctx = await authenticateApi(rt, req, apiOpts);
          return withHeaders(await handler(req, ctx, route), base());
        } catch (err) {
          return errorResponse(rt, err, base());
        }
      };
    },
  };
}

export { ConnectError };
