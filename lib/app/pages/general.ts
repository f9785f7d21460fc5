import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { env } from '@/lib/env';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal general page: proves the page JWT round trip; the app's real pages live elsewhere. */
export function generalPage(_req: Request, ctx: RequestContext): Response {
  const html = `<!doctype html><html lang="${esc(ctx.locale)}"><head><meta charset="utf-8"><title>Checklists</title>
<script src="${esc(env().AP_JS_URL)}" async></script></head>
<body><div class="ac-content"><h1>Checklists</h1><p data-testid="general-tenant">${esc(ctx.tenant.displayUrl ?? ctx.tenant.baseUrl)}</p></div></body></html>`;
  return new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
