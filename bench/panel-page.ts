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
 *   npm run bench:panel -- [--duration 10] [--connections 32] [--targets panel,static,naive] [--no-build]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/app-server';
import { Keys, install, newSite, pageUrl, type Site } from '../test/integration/app-support';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    targets: { type: 'string', default: 'panel,static,naive' },
    pool: { type: 'string', default: '2000' },
    'no-build': { type: 'boolean', default: false },
  },
});

const root = path.resolve(__dirname, '..');
const distDir = process.env.NEXT_DIST_DIR || '.next-bench';
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const pin = (cpu: string, cmd: string, argv: string[]): [string, string[]] => (hasTaskset ? ['taskset', ['-c', cpu, cmd, ...argv]] : [cmd, argv]);

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

function runWrk(app: string, pathsFile: string, seconds: number, connections: number): Omit<Result, 'target' | 'describe'> {
  const [cmd, argv] = pin('1', 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', path.join(root, 'bench/wrk-paths.lua'), app]);
  const r = spawnSync(cmd, argv, { env: { ...process.env, WRK_PATHS: pathsFile }, encoding: 'utf8' });
  const line = /WRK_JSON (\{.*\})/.exec(r.stdout ?? '')?.[1];
  if (!line) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  const j = JSON.parse(line) as Record<string, number>;
  const errors = j.connect! + j.read! + j.write! + j.status! + j.timeout!;
  return { rps: j.requests! / (j.duration_us! / 1e6), p50ms: j.p50_us! / 1000, p99ms: j.p99_us! / 1000, requests: j.requests!, errors };
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['-v']).error) throw new Error('wrk not found: apt-get install -y wrk');
  const targets = args.targets.split(',').map((t) => {
    const target = TARGETS[t.trim()];
    if (!target) throw new Error(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);
    return target;
  });
  if (!args['no-build'] || !existsSync(path.join(root, distDir, 'BUILD_ID'))) {
    console.log(`building into ${distDir} …`);
    execFileSync('npx', ['next', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' } });
  }
  const keys = new Keys();
  const keysUrl = await keys.start();
  const port = Number(process.env.BENCH_PORT) || (await freePort());
  const app = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-panel-'));
  const [cmd, argv] = pin('0', 'node', ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1']);
  let out = '';
  const child = spawn(cmd, argv, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_ENV: 'development',
      NEXT_DIST_DIR: distDir,
      NEXT_TELEMETRY_DISABLED: '1',
      APP_BASE_URL: app,
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.BENCH_DATABASE_URL,
      CONNECT_KEYS_CDN_URL: keysUrl,
      LOG_LEVEL: 'warn',
      BENCH_ROUTES: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await keys.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`app exited:\n${out}`);
      const ok = await fetch(`${app}/atlassian-connect.json`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`app did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const site = newSite('https://bench-site.atlassian.net');
    await install(app, keys, site);

    const seconds = Number(args.duration);
    const connections = Number(args.connections);
    const results: Result[] = [];
    const workDir = mkdtempSync(path.join(tmpdir(), 'bench-paths-'));
    for (const t of targets) {
      const paths = await t.paths(app, site, Number(args.pool));
      // A fresh connection: the one from before the last wrk run may have idled out.
      const first = await fetch(app + paths[0]).catch(() => fetch(app + paths[0]));
      const body = await first.text();
      if (first.status !== 200) throw new Error(`${t.name}: ${first.status} ${body.slice(0, 300)}`);
      const file = path.join(workDir, `${t.name}.txt`);
      writeFileSync(file, paths.join('\n'));
      runWrk(app, file, 3, connections); // warm-up: JIT, caches, connection setup
      const r = runWrk(app, file, seconds, connections);
      results.push({ target: t.name, describe: t.describe, ...r });
      console.log(`${t.name.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50ms.toFixed(1)} ms  p99 ${r.p99ms.toFixed(1)} ms  errors ${r.errors}  (${t.describe}, ${body.length} bytes)`);
    }
    rmSync(workDir, { recursive: true, force: true });
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
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
