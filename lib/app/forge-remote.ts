import 'server-only';
import { ForgeTokenError, getMyself, isProductApiError, type ProductRequester } from 'atlassian-connect-next';
import type { ForgeProductCalls, ForgeRequestContext } from 'atlassian-connect-next/forge';

type Who = { accountId: string; accountType: string | null } | { error: string; status?: number; token?: string };

/** Who the product says a requester acts as; a failure is described, never thrown (no token in it). */
async function whoAmI(rq: ProductRequester, signal: AbortSignal): Promise<Who> {
  try {
    const me = await getMyself(rq, { signal });
    return { accountId: me.accountId, accountType: me.accountType ?? null };
  } catch (err) {
    if (err instanceof ForgeTokenError) return { error: err.kind, token: err.problem };
    if (isProductApiError(err)) return { error: err.kind, ...(err.status ? { status: err.status } : {}) };
    throw err;
  }
}

/**
 * Product calls of an adopted site go through Forge: the invocation's system token as the app,
 * its user token as the calling user, to the API base URL the invocation named (the requester
 * shares the site's deadlines, retries, breaker and rate-limit pauses with its Connect calls).
 */
async function productIdentities(p: ForgeProductCalls, signal: AbortSignal): Promise<{ app: Who | null; user: Who | null }> {
  const [app, user] = await Promise.all([p.tokens.system ? whoAmI(p.asApp(), signal) : null, p.tokens.user ? whoAmI(p.asUser(), signal) : null]);
  return { app, user };
}

/** The sample remote resolver: who Forge says is calling, mapped onto the Connect tenant, and who the product says it is. */
export async function describeForgeInvocation(req: Request, ctx: ForgeRequestContext): Promise<Response> {
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
    product: ctx.product ? await productIdentities(ctx.product, req.signal) : null,
  });
}
