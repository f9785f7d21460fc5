import 'server-only';
import { textResponse, type ConnectContext } from 'atlassian-connect-next';
import { parseOr422 } from '@/lib/app/api/http';
import { issueIdParam } from '@/lib/checklists/schema';
import { baseBootstrap } from './bootstrap';
import type { ShellRenderer } from './shell';
import { apScriptTag } from '@/components/connect/ap-options';

const opt = (v: string | null, re: RegExp) => (v && re.test(v) ? v : null);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * AP.js (the library's autoresize) sizes the iframe to `.ac-content`'s own box plus its own
 * margins: a flow-root keeps the first heading's and last paragraph's margins inside that box
 * instead of collapsing through it (they would be cut off at the bottom of the iframe).
 */
const GENERAL_STYLE = '<style>.ac-content{display:flow-root}</style>';

/** The issue and project the page was signed for; the session token is bound to them. */
export function panelScope(url: URL): Record<string, unknown> {
  const q = url.searchParams;
  return { issueId: q.get('issueId'), issueKey: q.get('issueKey'), projectId: q.get('projectId'), projectKey: q.get('projectKey') };
}

/** The iframe pages; the page JWT (qsh) was verified by withPageAuth before any of these run. */
export function pageHandlers(d: { renderShell: ShellRenderer; apJsUrl: string }) {
  return {
    /**
     * GET /panel/issue: the issue glance / web panel. The issue and project come from the
     * signed URL. Answers the cached shell.
     */
    async panel(req: Request, ctx: ConnectContext): Promise<Response> {
      const q = new URL(req.url).searchParams;
      const issueId = parseOr422(issueIdParam, q.get('issueId') ?? undefined, 'issueId');
      const projectKey = opt(q.get('projectKey'), /^[A-Z][A-Z0-9_]{0,49}$/);
      const api = `/api/checklists/${issueId}`;
      return d.renderShell('panel', {
        locale: ctx.locale,
        bootstrap: {
          ...baseBootstrap(req, ctx, 'panel'),
          issue: { id: issueId, key: opt(q.get('issueKey'), /^[A-Z][A-Z0-9_]{0,49}-\d{1,18}$/) },
          project: { id: opt(q.get('projectId'), /^\d{1,18}$/), key: projectKey },
          prefetch: { checklist: api, preferences: '/api/preferences' },
        },
      });
    },

    /**
     * GET /admin: the adminPages / configurePage module. Anyone the product shows it to may look;
     * saving is checked by the settings API against the product's own admin answer.
     */
    async admin(req: Request, ctx: ConnectContext): Promise<Response> {
      return d.renderShell('admin', { locale: ctx.locale, bootstrap: { ...baseBootstrap(req, ctx, 'admin'), prefetch: { overview: '/api/settings' } } });
    },

    /** A minimal general page: proves the page JWT round trip and hands the iframe its session token. */
    general(_req: Request, ctx: ConnectContext): Response {
      const boot = JSON.stringify({ sessionToken: ctx.sessionToken, locale: ctx.locale }).replace(/</g, '\\u003c');
      const html = `<!doctype html><html lang="${esc(ctx.locale)}"><head><meta charset="utf-8"><title>Checklists</title>
${apScriptTag(d.apJsUrl, 'general')}${GENERAL_STYLE}</head>
<body><div class="ac-content"><h1>Checklists</h1><p data-testid="general-tenant">${esc(ctx.tenant.displayUrl ?? ctx.tenant.baseUrl)}</p>
<p data-testid="general-license">${esc(ctx.license.param)}</p></div>
<script id="connect-bootstrap" type="application/json">${boot}</script></body></html>`;
      return textResponse(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    },
  };
}
