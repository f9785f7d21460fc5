import 'server-only';
import type { ConnectContext } from 'atlassian-connect-next';

export function describeContext(_req: Request, ctx: ConnectContext): Response {
  return Response.json({
    clientKey: ctx.clientKey,
    accountId: ctx.accountId ?? null,
    license: ctx.license,
    locale: ctx.locale,
    timeZone: ctx.timeZone ?? null,
    tokenKind: ctx.tokenKind,
    module: ctx.module ?? null,
    site: { baseUrl: ctx.tenant.baseUrl, displayUrl: ctx.tenant.displayUrl, productType: ctx.tenant.productType },
  });
}
