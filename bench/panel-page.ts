/**
 * Throughput of the issue panel's page request, the hot path of every Jira issue view.
 *
 * Builds (or reuses) the app, starts `next start` pinned to one core, installs one tenant with a
 * real RS256 signed install, pre-signs a pool of page JWTs the way the product signs them (qsh,
 * lic, loc, tz), and drives each target with wrk on the other core:
 *   panel   — /panel/issue: page JWT verified, session token issued, cached HTML shell + bootstrap
 *   static  — /shell/panel: the same shell as a plain static file (no auth): the ceiling
 *   naive   — /panel/issue-ssr: the same panel server-rendered per request (what one writes first)
 * Reports req/s, p50/p99 and the ratios; exits non-zero on any error or non-200.
 *
 *   npm run bench:panel -- [--duration 10] [--connections 32] [--targets panel,static,naive] [--server app|next] [--rebuild | --no-build]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeKeys, install, newSite, pageUrl, type Site } from '../test/support/product';
import { benchBuild, fetchFresh, hasTaskset, requireWrk, root, runWrk, startApp } from './lib/harness';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    targets: { type: 'string', default: 'panel,static,naive' },
    pool: { type: 'string', default: '2000' },
    rebuild: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    // `app`: the app server (`npm start`, server/main.ts); `next`: plain `next start`.
    server: { type: 'string', default: 'app' },
  },
});
if (args.server !== 'app' && args.server !== 'next') throw new Error(`--server must be app or next, not ${args.server}`);

interface Target {
  name: string;
  describe: string;
  /** Paths (with query) for wrk, one per request in rotation. */
  paths: (app: string, site: Site, n: number) => Promise<string[]>;
}

const issueParams = (i: number) => ({
  issueKey: `CHK-${i}`,
  issueId: String(10_000 + i),
  projectKey: 'CHK',
  projectId: '10000',
  lic: 'active' as const,
  loc: 'de-DE',
  tz: 'Europe/Berlin',
});

async function signedPaths(app: string, site: Site, n: number, route: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = new URL(await pageUrl(app, site, route, { accountId: `user-${i % 50}`, params: issueParams(i), ttlSeconds: 900 }));
    out.push(u.pathname + u.search);
  }
  return out;
}

const TARGETS: Record<string, Target> = {
  panel: { name: 'panel', describe: 'GET /panel/issue (page JWT + cached shell)', paths: (a, s, n) => signedPaths(a, s, n, '/panel/issue') },
  static: { name: 'static', describe: 'GET /shell/panel (static, no auth)', paths: async () => ['/shell/panel'] },
  naive: { name: 'naive', describe: 'GET /panel/issue-ssr (page JWT + server render)', paths: (a, s, n) => signedPaths(a, s, n, '/panel/issue-ssr') },
  general: { name: 'general', describe: 'GET /general (page JWT + inline HTML)', paths: (a, s, n) => signedPaths(a, s, n, '/general') },
};

interface Result {
  target: string;
  describe: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  errors: number;
}

async function main(): Promise<void> {
  requireWrk();
  const targets = args.targets.split(',').map((t) => {
    const target = TARGETS[t.trim()];
    if (!target) throw new Error(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);
    return target;
  });
  await benchBuild({ rebuild: args.rebuild, noBuild: args['no-build'] });
  const keys = new FakeKeys();
  const keysUrl = await keys.start();
  const app = await startApp({ CONNECT_KEYS_CDN_URL: keysUrl }, { server: args.server as 'app' | 'next' });
  try {
    const site = newSite('https://bench-site.atlassian.net');
    await install(app.url, keys, site);

    const seconds = Number(args.duration);
    const connections = Number(args.connections);
    const results: Result[] = [];
    for (const t of targets) {
      const paths = await t.paths(app.url, site, Number(args.pool));
      const first = await fetchFresh(app.url + paths[0]);
      const body = await first.text();
      if (first.status !== 200) throw new Error(`${t.name}: ${first.status} ${body.slice(0, 300)}`);
      runWrk(app.url, paths, { seconds: 3, connections }); // warm-up: JIT, caches, connection setup
      const r = runWrk(app.url, paths, { seconds, connections });
      results.push({ target: t.name, describe: t.describe, ...r });
      console.log(`${t.name.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50ms.toFixed(1)} ms  p99 ${r.p99ms.toFixed(1)} ms  ok ${Math.max(0, r.requests - r.errors)}/${r.requests}  errors ${r.errors}  (${t.describe}, ${body.length} bytes)`);
    }
    const by = Object.fromEntries(results.map((r) => [r.target, r]));
    const ratios: Record<string, number> = {};
    if (by.panel && by.static) ratios['panel/static'] = by.panel.rps / by.static.rps;
    if (by.panel && by.naive) ratios['panel/naive'] = by.panel.rps / by.naive.rps;
    for (const [k, v] of Object.entries(ratios)) console.log(`${k}: ${v.toFixed(2)}`);
    const summary = { at: new Date().toISOString(), pinned: hasTaskset, connections, seconds, results, ratios };
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    writeFileSync(path.join(root, 'bench/results/panel-page.json'), JSON.stringify(summary, null, 2));
    const errors = results.reduce((n, r) => n + r.errors, 0);
    if (errors > 0) {
      console.error(`${errors} errors`);
      process.exitCode = 1;
    }
  } finally {
    await app.stop();
    await keys.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
