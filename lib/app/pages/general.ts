import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { env } from '@/lib/env';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal general page: proves the page JWT round trip and hands the iframe its session token. */
export function generalPage(_req: Request, ctx: RequestContext & { sessionToken?: string }): Response {
  const boot = JSON.stringify({ sessionToken: ctx.sessionToken, locale: ctx.locale }).replace(/</g, '\\u003c');
  const html = `<!doctype html><html lang="${esc(ctx.locale)}"><head><meta charset="utf-8"><title>Checklists</title>
<script src="${esc(env().AP_JS_URL)}" async></script></head>
<body><div class="ac-content"><h1>Checklists</h1><p data-testid="general-tenant">${esc(ctx.tenant.displayUrl ?? ctx.tenant.baseUrl)}</p>
<p data-testid="general-license">${esc(ctx.license.param)}</p></div>
<script id="connect-bootstrap" type="application/json">${boot}</script></body></html>`;
  return new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
