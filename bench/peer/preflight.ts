import { isDeepStrictEqual } from 'node:util';
import { readBootstrap } from '../../test/support/product';
import type { WrkRequest } from '../lib/harness';
import { FORWARDED_HTTPS } from './pools';

/**
 * Before any figure is taken, every target must do the work it is credited with: the page answers
 * 200 with a bootstrap carrying a fresh session token, the API answers the seeded items, and each
 * server refuses a tampered page URL (qsh), a call without a token and (app, ACE) a token issued
 * for another issue. A server that skipped a check would otherwise look fast.
 */

export interface Target {
  name: string;
  base: string;
  pool: (string | WrkRequest)[];
  describe: string;
}

export const requestOf = (r: string | WrkRequest): WrkRequest => (typeof r === 'string' ? { path: r, headers: {} } : r);

/**
 * GET (behind the same X-Forwarded-Proto as the load) that retries connection errors (a freshly
 * started server, or an idle socket it closed).
 */
export async function getWithRetry(url: string, headers: Record<string, string> = {}, attempts = 5): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url, { headers: { ...FORWARDED_HTTPS, ...headers }, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      if (i >= attempts) throw new Error(`GET ${new URL(url).pathname}: ${err instanceof Error ? err.message : String(err)}`); // no JWT in logs
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }
}

async function expectStatus(what: string, url: string, headers: Record<string, string>, status: number): Promise<string> {
  const res = await getWithRetry(url, headers);
  const body = await res.text();
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${body.slice(0, 300)}`);
  return body;
}

/** Checks one target's first request; returns the response size in bytes. */
export async function checkTarget(t: Target, items: Map<string, unknown[]>): Promise<number> {
  const r = requestOf(t.pool[0]!);
  const body = await expectStatus(t.name, t.base + r.path, r.headers, 200);
  if (t.name === 'panel:app' || t.name === 'panel:ace') {
    if (!readBootstrap(body).sessionToken) throw new Error(`${t.name}: no session token in the bootstrap`);
  }
  if (t.name === 'api:app' || t.name === 'api:ace') {
    const issueId = r.path.split('/').pop()!;
    const got = (JSON.parse(body) as { items?: unknown[] }).items;
    if (!isDeepStrictEqual(got, items.get(issueId))) throw new Error(`${t.name}: items of ${issueId} differ from the seeded ones: ${JSON.stringify(got).slice(0, 300)}`);
  }
  return Buffer.byteLength(body);
}

/** The refusals every server must show with the same pools. */
export async function checkRefusals(servers: { name: string; base: string; scoped: boolean }[], page: string, api: WrkRequest[]): Promise<void> {
  const tampered = new URL(page, 'http://x');
  tampered.searchParams.set('issueKey', 'CHK-tampered');
  const other = api.find((r) => r.path !== api[0]!.path);
  for (const s of servers) {
    await expectStatus(`${s.name}: page URL changed after signing`, s.base + tampered.pathname + tampered.search, {}, 401);
    await expectStatus(`${s.name}: API call without a token`, s.base + api[0]!.path, {}, 401);
    if (s.scoped && other) await expectStatus(`${s.name}: context JWT of another issue`, s.base + api[0]!.path, other.headers, 403);
  }
}
