import 'server-only';
import { answerFor, type ConnectContext, type ConnectHandler } from 'atlassian-connect-next';
import { app, type App } from '@/lib/app/root';

/**
 * Unauthenticated twins of authenticated routes for `npm run bench`: the same handler and tenant
 * lookup, minus JWT verification, so the bench measures exactly what the Connect layer costs.
 * Only the bench build (BENCH_BUILD=1, `*.bench.ts` routes) contains them; a production-mode
 * app refuses them even there.
 */
export function benchTwin(pick: (a: App) => ConnectHandler) {
  return async (req: Request): Promise<Response> => {
    const a = await app();
    if (a.env.APP_ENV === 'production') return new Response('Not found', { status: 404 });
    const clientKey = new URL(req.url).searchParams.get('clientKey') ?? '';
    const tenant = await a.connect.tenant(clientKey);
    if (!tenant) return new Response('Not found', { status: 404 });
    const ctx: ConnectContext = {
      tenant,
      clientKey,
      accountId: 'bench-user',
      license: { param: 'active', licensed: true },
      locale: 'de',
      timeZone: 'Europe/Berlin',
      tokenKind: 'page',
      sessionToken: 'bench',
    };
    return answerFor(req, await pick(a)(req, ctx, { params: Promise.resolve({}) }));
  };
}
