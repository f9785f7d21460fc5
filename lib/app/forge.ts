import 'server-only';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { ConnectError } from '@/lib/connect/errors';
import { PrismaForgeInstallations } from '@/lib/connect/forge/installations';
import { forgeJwks } from '@/lib/connect/forge/invocation-token';
import { isForgeLifecycleEvent } from '@/lib/connect/forge/lifecycle-paths';
import { createForgeWrappers, type ForgeHandler, type ForgeRequestContext, type ForgeRuntime } from '@/lib/connect/forge/next';
import { errorResponse } from '@/lib/connect/next';
import { runtime } from './connect';

/** The reference app's Forge side ("Connect on Forge"): on only when FORGE_APP_ID is set. */
type Wrappers = ReturnType<typeof createForgeWrappers>;
const g = globalThis as unknown as { __forgeWrappers?: Wrappers | null };

function wrappers(): Wrappers | null {
  if (g.__forgeWrappers !== undefined) return g.__forgeWrappers;
  const e = env();
  const frt: ForgeRuntime | null = e.FORGE_APP_ID
    ? {
        rt: runtime(),
        keys: forgeJwks({ url: e.FORGE_JWKS_URL, cooldownMs: e.FORGE_JWKS_COOLDOWN_SECONDS * 1000 }),
        installations: new PrismaForgeInstallations(db),
        appId: e.FORGE_APP_ID,
        environment: e.FORGE_ENVIRONMENT,
      }
    : null;
  g.__forgeWrappers = frt ? createForgeWrappers(frt) : null;
  return g.__forgeWrappers;
}

const notConfigured = () => errorResponse(runtime(), new ConnectError('NOT_FOUND', 'FORGE_APP_ID is not set'));

type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> };

/** Lazily bound, so importing a route module during `next build` reads no config. */
export function withForgeAuth(handler: ForgeHandler) {
  return (req: Request, route: RouteParams): Promise<Response> => {
    const w = wrappers();
    return w ? w.withForgeAuth(handler)(req, route) : Promise.resolve(notConfigured());
  };
}

/** POST /forge/lifecycle/{installed|upgraded}. */
export async function forgeLifecycleRoute(req: Request, route: { params: Promise<{ event: string }> }): Promise<Response> {
  const { event } = await route.params;
  const w = wrappers();
  if (!w || !isForgeLifecycleEvent(event)) return notConfigured();
  return w.forgeLifecycleRoute(event)(req);
}

/** The sample remote resolver: who Forge says is calling, mapped onto the Connect tenant. */
export function describeForgeInvocation(_req: Request, ctx: ForgeRequestContext): Response {
  return Response.json({
    clientKey: ctx.clientKey,
    installationId: ctx.installationId,
    cloudId: ctx.cloudId,
    siteUrl: ctx.siteUrl ?? null,
    accountId: ctx.accountId ?? null,
    license: ctx.license,
    environment: ctx.environment.type,
    module: ctx.module?.key ?? null,
    site: { baseUrl: ctx.tenant.baseUrl, productType: ctx.tenant.productType, active: !ctx.tenant.uninstalledAt },
  });
}
