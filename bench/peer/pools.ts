import { contextToken, pageUrl, type Site } from '../../test/support/product';
import type { WrkRequest } from '../lib/harness';

/**
 * The signed requests of `npm run bench:peer`, made once and sent to every server: page URLs with
 * a page JWT whose qsh is computed as Jira computes it (atlassian-jwt, via the framework's
 * testing signers), and API calls each with its own context JWT naming its issue. The qsh covers
 * method, path and query, not the origin, so the same path verifies on the app, on ACE and on
 * the bare server as long as each serves it at the same path below its base URL.
 */

export const issueIdOf = (i: number) => String(10_000 + i);

/**
 * On every request to every server, as a TLS-terminating proxy in front of a Connect app sets it
 * (Jira only calls apps over https). The app runs with TRUST_PROXY=1 so it reads it; ACE and the
 * bare server get it too, so all three parse the same request.
 */
export const FORWARDED_HTTPS: Record<string, string> = { 'X-Forwarded-Proto': 'https' };

const pageParams = (i: number, issues: number) => {
  const n = i % issues;
  return { issueKey: `CHK-${n}`, issueId: issueIdOf(n), projectKey: 'CHK', projectId: '100', lic: 'active' as const, loc: 'de-DE', tz: 'Europe/Berlin' };
};

/** `n` page loads of `route` on `site`, each its own JWT (qsh for its exact query), as paths. */
export async function pagePaths(base: string, site: Site, n: number, opts: { route?: string; issues?: number; ttlSeconds?: number } = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = new URL(
      await pageUrl(base, site, opts.route ?? '/panel/issue', { accountId: `user-${i % 50}`, params: pageParams(i, opts.issues ?? n), ttlSeconds: opts.ttlSeconds ?? 1800 }),
    );
    out.push(u.pathname + u.search);
  }
  return out;
}

/** `n` reads of `GET {prefix}/{issueId}` over `issues` issues, each with its own context JWT. */
export async function apiRequests(site: Site, n: number, issues: number, opts: { prefix?: string; ttlSeconds?: number } = {}): Promise<WrkRequest[]> {
  const out: WrkRequest[] = [];
  for (let i = 0; i < n; i++) {
    const issueId = issueIdOf(i % issues);
    const token = await contextToken(site, `user-${i % 50}`, { issueId, ttlSeconds: opts.ttlSeconds ?? 1800 });
    out.push({ path: `${opts.prefix ?? '/api/checklists'}/${issueId}`, headers: { Authorization: `JWT ${token}` } });
  }
  return out;
}

/** The same requests at another path prefix (the context JWT's qsh does not cover the path). */
export const withPrefix = (reqs: WrkRequest[], from: string, to: string): WrkRequest[] => reqs.map((r) => ({ ...r, path: to + r.path.slice(from.length) }));
