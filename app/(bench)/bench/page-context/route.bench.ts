import { lazy } from 'atlassian-connect-next/next';
import { baseBootstrap } from '@/lib/app/pages/bootstrap';
import { panelScope } from '@/lib/app/pages';
import { app } from '@/lib/app/root';

export const dynamic = 'force-dynamic';

/**
 * Bench build only: the naive panel's page authentication (a server-component page cannot reach
 * the composition root, which lives in the route handlers' module graph; see lib/app/root.ts).
 */
export const GET = lazy(async () => {
  const a = await app();
  if (a.env.APP_ENV === 'production') return async () => new Response('Not found', { status: 404 });
  const verify = a.connect.withPageAuth((req, ctx) => Response.json({ locale: ctx.locale, bootstrap: baseBootstrap(req, ctx, 'panel') }), { module: 'panel', scope: panelScope });
  // The page JWT was signed for /panel/issue-ssr (the naive page's URL): verified as that URL.
  return (req, route) => verify(new Request(new URL(`/panel/issue-ssr${new URL(req.url).search}`, req.url), { headers: req.headers }), route);
});
