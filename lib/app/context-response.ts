import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';

export function describeContext(_req: Request, ctx: RequestContext): Response {
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
