import type { NextRouteHandler } from 'atlassian-connect-next/next';

/**
 * Routes the app server answers beyond lib/app/routes.ts's table: none in the product. The bench
 * build (scripts/build-server.ts with `bench`) swaps this module for bench/app/routes.ts, whose
 * unauthenticated twins must run on the same composition root as the routes they are compared with.
 */
export const extraRoutes: readonly { method: string; path: string; handler: NextRouteHandler }[] = [];
