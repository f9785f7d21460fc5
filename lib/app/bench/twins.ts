import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { env } from '@/lib/env';
import { runtime } from '../connect';

/**
 * Unauthenticated twins of authenticated routes, for `npm run bench` only (BENCH_ROUTES=true):
 * the same handler and tenant lookup, minus JWT verification, so the bench measures exactly what
 * the Connect layer costs. 404 unless enabled.
 */
export function benchTwin(handler: (req: Request, ctx: RequestContext & { sessionToken?: string }) => Response) {
  return async (req: Request): Promise<Response> => {
    if (!env().BENCH_ROUTES) return new Response('Not found', { status: 404 });
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
