import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { parseOr422 } from '@/lib/app/api/http';
import { issueIdParam } from '@/lib/checklists/schema';
import { baseBootstrap } from './bootstrap';
import { renderShell } from './shell';

const opt = (v: string | null, re: RegExp) => (v && re.test(v) ? v : null);

/** The issue and project the page was signed for; the session token is bound to them. */
export function panelScope(url: URL): Record<string, unknown> {
  const q = url.searchParams;
  return { issueId: q.get('issueId'), issueKey: q.get('issueKey'), projectId: q.get('projectId'), projectKey: q.get('projectKey') };
}

/**
 * GET /panel/issue: the issue glance / web panel. The page JWT (qsh) was verified by
 * withPageAuth; the issue and project come from that signed URL. Answers the cached shell.
 */
export async function panelPage(req: Request, ctx: RequestContext & { sessionToken?: string }): Promise<Response> {
  const q = new URL(req.url).searchParams;
  const issueId = parseOr422(issueIdParam, q.get('issueId') ?? undefined, 'issueId');
  const projectKey = opt(q.get('projectKey'), /^[A-Z][A-Z0-9_]{0,49}$/);
  const api = `/api/checklists/${issueId}${projectKey ? `?projectKey=${projectKey}` : ''}`;
  return renderShell('panel', req, {
    locale: ctx.locale,
    bootstrap: {
      ...baseBootstrap(req, ctx, 'panel'),
      issue: { id: issueId, key: opt(q.get('issueKey'), /^[A-Z][A-Z0-9_]{0,49}-\d{1,18}$/) },
      project: { id: opt(q.get('projectId'), /^\d{1,18}$/), key: projectKey },
      prefetch: { checklist: api, preferences: '/api/preferences' },
    },
  });
}
