import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { runtime } from '@/lib/app/connect';
import { env } from '@/lib/env';

/**
 * Unauthenticated twins of authenticated routes for `npm run bench`: the same handler and tenant
 * lookup, minus JWT verification, so the bench measures exactly what the Connect layer costs.
 * Only the bench build (BENCH_BUILD=1, `*.bench.ts` routes) contains them; a production-mode
 * app refuses them even there.
 */
export function benchTwin(handler: (req: Request, ctx: RequestContext & { sessionToken?: string }) => Response) {
  return async (req: Request): Promise<Response> => {
    if (env().APP_ENV === 'production') return new Response('Not found', { status: 404 });
    const clientKey = new URL(req.url).searchParams.get('clientKey') ?? '';
    const cached = await runtime().tenants.get(clientKey);
    if (!cached) return new Response('Not found', { status: 404 });
    return handler(req, {
      tenant: cached.tenant,
      clientKey,
      accountId: 'bench-user',
      license: { param: 'active', licensed: true },
      locale: 'de',
      timeZone: 'Europe/Berlin',
      tokenKind: 'page',
      sessionToken: 'bench',
    });
  };
}
