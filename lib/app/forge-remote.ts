import 'server-only';
import type { ForgeRequestContext } from 'atlassian-connect-next/forge';

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
