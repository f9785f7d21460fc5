import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { apScriptTag } from '@/components/connect/ap-options';
import { env } from '@/lib/env';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * AP.js (the library's autoresize) sizes the iframe to `.ac-content`'s own box plus its own
 * margins: a flow-root keeps the first heading's and last paragraph's margins inside that box
 * instead of collapsing through it (they would be cut off at the bottom of the iframe).
 */
const GENERAL_STYLE = '<style>.ac-content{display:flow-root}</style>';

/** A minimal general page: proves the page JWT round trip and hands the iframe its session token. */
export function generalPage(_req: Request, ctx: RequestContext & { sessionToken?: string }): Response {
  const boot = JSON.stringify({ sessionToken: ctx.sessionToken, locale: ctx.locale }).replace(/</g, '\\u003c');
  const html = `<!doctype html><html lang="${esc(ctx.locale)}"><head><meta charset="utf-8"><title>Checklists</title>
${apScriptTag(env().AP_JS_URL, 'general')}${GENERAL_STYLE}</head>
<body><div class="ac-content"><h1>Checklists</h1><p data-testid="general-tenant">${esc(ctx.tenant.displayUrl ?? ctx.tenant.baseUrl)}</p>
<p data-testid="general-license">${esc(ctx.license.param)}</p></div>
<script id="connect-bootstrap" type="application/json">${boot}</script></body></html>`;
  return new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
