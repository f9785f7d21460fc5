import 'server-only';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { readEnv } from '@/lib/env';

/**
 * The benchmark's comparator, only in the bench build: the issue panel done the obvious way, a
 * dynamic Server Component page that verifies the same page JWT and renders the React tree on
 * every request. The verification runs in the route handlers' graph (/bench/page-context, over
 * loopback): a page has no composition root of its own. bench/panel-page.ts measures it beside
 * the cached-shell route.
 */
export async function naivePanelBootstrap(searchParams: Record<string, string | string[] | undefined>): Promise<{ locale: string; json: string }> {
  const env = readEnv();
  if (env.APP_ENV === 'production') notFound();
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(searchParams)) for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) q.append(k, x);
  const h = await headers();
  const res = await fetch(`${env.APP_BASE_URL}/bench/page-context?${q}`, { headers: { 'accept-language': h.get('accept-language') ?? '' } });
  if (!res.ok) notFound();
  const { locale, bootstrap } = (await res.json()) as { locale: string; bootstrap: Record<string, unknown> };
  const boot = { ...bootstrap, issue: { id: q.get('issueId'), key: q.get('issueKey') }, project: { id: q.get('projectId'), key: q.get('projectKey') } };
  return { locale, json: JSON.stringify(boot).replace(/</g, '\\u003c') };
}
