import type { Connect } from '../create-connect';
import { LIFECYCLE_PATHS, type LifecycleEventName } from '../descriptor';
import { ConnectError } from '../errors';
import { errorResponse, type RouteParams } from '../wrappers';

/**
 * `atlassian-connect-next/next`: glue for Next.js App Router route files.
 *
 * Route modules are imported by `next build`, which has no runtime configuration; `lazy`
 * binds a handler to the app's Connect instance on its first request instead:
 *
 * ```ts
 * // app/api/things/[issueId]/route.ts
 * export const GET = lazy(() => app().connect.withApiAuth(getThings, { scope: 'issue' }));
 * ```
 */
export type NextRouteHandler = (req: Request, route: RouteParams) => Promise<Response>;

export function lazy(build: () => NextRouteHandler | Promise<NextRouteHandler>): NextRouteHandler {
  let built: NextRouteHandler | undefined;
  let building: Promise<NextRouteHandler> | undefined;
  return (req, route) => {
    // Once built, called directly: no promise hop on every request of a hot route.
    if (built) return built(req, route);
    building ??= Promise.resolve()
      .then(build)
      .then(
        (h) => (built = h),
        (err: unknown) => {
          // A failed build (e.g. configuration) is retried by the next request rather than cached.
          building = undefined;
          throw err;
        },
      );
    return building.then((h) => h(req, route));
  };
}

/** `app/atlassian-connect.json/route.ts`: serves the descriptor. */
export function descriptorRoute(connect: () => Connect | Promise<Connect>): NextRouteHandler {
  return async () => Response.json((await connect()).descriptor(), { headers: { 'Cache-Control': 'no-store' } });
}

/** `app/lifecycle/[event]/route.ts`: one handler for the four lifecycle events; others are 404. */
export function lifecycleRoutes(connect: () => Connect | Promise<Connect>): NextRouteHandler {
  return async (req, route) => {
    const c = await connect();
    const { event } = await route.params;
    if (typeof event !== 'string' || !Object.hasOwn(LIFECYCLE_PATHS, event)) {
      return errorResponse(c.runtime, new ConnectError('NOT_FOUND', 'unknown lifecycle event'));
    }
    return c.lifecycle(event as LifecycleEventName)(req);
  };
}

/**
 * One instance per process that survives `next dev` module reloads: in development the value is
 * kept on globalThis under `key` (the only global), in production it is built once per module.
 */
export function devSingleton<T>(key: string, create: () => T): () => T {
  const g = globalThis as unknown as Record<string, T | undefined>;
  let value: T | undefined;
  return () => {
    if (process.env.NODE_ENV === 'production') return (value ??= create());
    return (g[key] ??= create());
  };
}
