import 'server-only';
import type { ConnectContext } from 'atlassian-connect-next';

/** The part of every iframe bootstrap that comes from the verified page request. */
export function baseBootstrap(req: Request, ctx: ConnectContext, module: 'panel' | 'admin') {
  const site = (ctx.tenant.displayUrl ?? ctx.tenant.baseUrl).replace(/\/+$/, '');
  return {
    v: 1,
    module,
    sessionToken: ctx.sessionToken ?? '',
    locale: ctx.locale,
    // `loc` was in the signed URL: the client must not second-guess it with AP.user.getLocale().
    localeSource: new URL(req.url).searchParams.get('loc') ? 'loc' : 'header',
    timeZone: ctx.timeZone,
    license: ctx.license,
    accountId: ctx.accountId ?? null,
    site: { url: site, manageAppsUrl: `${site}/plugins/servlet/upm` },
  };
}
