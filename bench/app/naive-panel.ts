import 'server-only';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { runtime } from '@/lib/app/connect';
import { baseBootstrap } from '@/lib/app/pages/bootstrap';
import { authenticatePage } from '@/lib/connect/auth';
import { env } from '@/lib/env';

/**
 * The benchmark's comparator, only in the bench build: the issue panel done the obvious way, a
 * dynamic Server Component page that verifies the same page JWT and renders the React tree on
 * every request. bench/panel-page.ts measures it beside the cached-shell route.
 */
export async function naivePanelBootstrap(searchParams: Record<string, string | string[] | undefined>): Promise<{ locale: string; json: string }> {
  if (env().APP_ENV === 'production') notFound();
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(searchParams)) for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) q.append(k, x);
  const req = new Request(`${env().APP_BASE_URL}/panel/issue-ssr?${q}`, { headers: await headers() });
  const rt = runtime();
  const ctx = await authenticatePage(rt, req, { allowQueryToken: true });
  const sessionToken = await rt.sessions.issue({ clientKey: ctx.clientKey, accountId: ctx.accountId, lic: ctx.license.param, loc: ctx.locale, tz: ctx.timeZone, mod: 'panel' });
  const boot = { ...baseBootstrap(req, { ...ctx, sessionToken }, 'panel'), issue: { id: q.get('issueId'), key: q.get('issueKey') }, project: { id: q.get('projectId'), key: q.get('projectKey') } };
  return { locale: ctx.locale, json: JSON.stringify(boot).replace(/</g, '\\u003c') };
}
