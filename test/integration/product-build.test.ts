import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSpec, ensureBuild, ROOT, startApp, type AppServer } from '../../scripts/stack';
import { databaseOptions } from '../support/database';
import { FakeKeys, newSite, pageUrl, sendLifecycle, type Site } from '../support/product';

/**
 * The product build holds no benchmark tooling: the unauthenticated twins (/bench/*) and the
 * naive server-rendered panel (/panel/issue-ssr) exist only in the bench build (BENCH_BUILD=1).
 */

const BENCH_ONLY = ['/bench/general', '/bench/api-context', '/panel/issue-ssr'];

describe('the product build', () => {
  let app: AppServer;
  let keys: FakeKeys;
  let site: Site;

  beforeAll(async () => {
    keys = new FakeKeys();
    const cdn = await keys.start();
    app = await startApp({ ...(await databaseOptions()), env: { CONNECT_KEYS_CDN_URL: cdn } });
    site = newSite();
    const res = await sendLifecycle(app.url, keys, site, 'installed');
    expect(res.status).toBe(204);
  });
  afterAll(async () => {
    await app?.stop();
    await keys?.stop();
  });

  it('routes no bench-only path (its route manifest), and does route the product', async () => {
    const { spec } = await ensureBuild();
    const manifest = JSON.parse(readFileSync(path.join(ROOT, spec.distDir, 'app-path-routes-manifest.json'), 'utf8')) as Record<string, string>;
    const routes = Object.values(manifest);
    for (const p of BENCH_ONLY) expect(routes).not.toContain(p);
    expect(routes.filter((r) => r.startsWith('/bench'))).toEqual([]);
    expect(routes).toEqual(expect.arrayContaining(['/panel/issue', '/general', '/admin', '/api/context', '/atlassian-connect.json']));
  });

  it('answers 404 to them even for an installed site and a valid page JWT', async () => {
    const open = `clientKey=${encodeURIComponent(site.clientKey)}&lic=active&loc=de-DE`;
    expect((await fetch(`${app.url}/bench/general?${open}`)).status).toBe(404);
    expect((await fetch(`${app.url}/bench/api-context?${open}`)).status).toBe(404);
    const ssr = await pageUrl(app.url, site, '/panel/issue-ssr', { accountId: 'a', params: { issueId: '10001', issueKey: 'CHK-1', projectKey: 'CHK', projectId: '100' } });
    expect((await fetch(ssr)).status).toBe(404);
    // The same signed request to the real panel is served: the 404 is the route's absence.
    const panel = await pageUrl(app.url, site, '/panel/issue', { accountId: 'a', params: { issueId: '10001', issueKey: 'CHK-1', projectKey: 'CHK', projectId: '100' } });
    expect((await fetch(panel)).status).toBe(200);
  });

  it('leaves the switch to the bench build alone: its own dist dir and the *.bench.ts extensions', () => {
    const config = (env: Record<string, string>) =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', "const c = require('./next.config.js'); console.log(JSON.stringify({ distDir: c.distDir, pageExtensions: c.pageExtensions }))"], {
          cwd: ROOT,
          env: { PATH: process.env.PATH, ...env } as unknown as NodeJS.ProcessEnv,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ) as { distDir: string; pageExtensions: string[] };
    expect(config({})).toEqual({ distDir: '.next', pageExtensions: ['tsx', 'ts'] });
    const bench = config({ BENCH_BUILD: '1', NEXT_DIST_DIR: buildSpec('bench').distDir });
    expect(bench.pageExtensions).toEqual(expect.arrayContaining(['bench.ts', 'bench.tsx']));
    expect(bench.distDir).toBe(buildSpec('bench').distDir);
    expect(() => config({ BENCH_BUILD: '1', NEXT_DIST_DIR: '.next' })).toThrow();
  });
});
