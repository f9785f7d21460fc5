import 'server-only';
import { lazy, type NextRouteHandler } from 'atlassian-connect-next/next';
import { describeContext } from '@/lib/app/context-response';
import { pageHandlers, panelScope } from '@/lib/app/pages';
import { baseBootstrap } from '@/lib/app/pages/bootstrap';
import { app } from '@/lib/app/root';
import { benchTwin } from './twins';

/**
 * The bench build's extra routes (BENCH_BUILD=1): each `app/(bench)/**\/route.bench.ts` exports
 * one entry, and the bench build's app server (scripts/build-server.ts) answers them too, so
 * they run on the same composition root as the routes they are compared with.
 */
export const benchRoutes = {
  general: benchTwin((a) => pageHandlers({ renderShell: a.renderShell, apJsUrl: a.env.AP_JS_URL }).general),
  apiContext: benchTwin(() => describeContext),
  /**
   * The naive panel's page authentication (a server-component page cannot reach the composition
   * root, which lives in the route handlers' module graph; see lib/app/root.ts).
   */
  pageContext: lazy(async () => {
    const a = await app();
    if (a.env.APP_ENV === 'production') return async () => new Response('Not found', { status: 404 });
    const verify = a.connect.withPageAuth((req, ctx) => Response.json({ locale: ctx.locale, bootstrap: baseBootstrap(req, ctx, 'panel') }), { module: 'panel', scope: panelScope });
    // The page JWT was signed for /panel/issue-ssr (the naive page's URL): verified as that URL.
    return (req, route) => verify(new Request(new URL(`/panel/issue-ssr${new URL(req.url).search}`, req.url), { headers: req.headers }), route);
  }),
  /**
   * The memory part of bench:peer (bench/peer/memory.ts): the JS heap after a full collection,
   * when the instance runs with --expose-gc (404 otherwise). What the app retains, unlike RSS,
   * which also holds heap V8 has not given back and the embedded database's memory.
   */
  heap: async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) return new Response('Not found', { status: 404 });
    gc();
    const m = process.memoryUsage();
    return Response.json({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss }, { headers: { 'cache-control': 'no-store' } });
  },
} satisfies Record<string, NextRouteHandler>;

export const benchRouteTable: readonly { method: string; path: string; handler: NextRouteHandler }[] = [
  { method: 'GET', path: '/bench/general', handler: benchRoutes.general },
  { method: 'GET', path: '/bench/api-context', handler: benchRoutes.apiContext },
  { method: 'GET', path: '/bench/page-context', handler: benchRoutes.pageContext },
  { method: 'GET', path: '/bench/heap', handler: benchRoutes.heap },
];

/** What the bench build's app server adds to lib/app/routes.ts's table (see server/extra-routes.ts). */
export const extraRoutes = benchRouteTable;
