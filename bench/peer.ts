/**
 * `npm run bench:peer`: the issue panel and its API beside atlassian-connect-express (issue 13).
 *
 * Throughput part. In one run on one machine, the app's bench build (scripts/stack, `next start`,
 * APP_ENV=development, TRUST_PROXY=1), a minimal ACE 11.5.3 app (bench/peer/ace-app, installed
 * by npm into .tmp/bench-peer/ace, outside the app's dependencies) and the bare node:http
 * verifier (bench/bare-server.ts: jose HS256 + the framework's computeQsh) run pinned to core 0
 * with the same tenant; wrk on core 1 sends all three the same signed requests, behind
 * `X-Forwarded-Proto: https`, from a pool where every request has its own JWT:
 *   panel  GET /panel/issue (page JWT + qsh as Jira signs it)  — ACE: addon.authenticate() + template
 *   api    GET /api/checklists/{issueId} (context JWT naming the issue, qsh `context-qsh`)
 *          — ACE: checkValidToken() + one store read; `api:ace-nostore` is the same without the read
 *   page   GET /general beside its unauthenticated twin /bench/general: the Connect layer's cost
 *          (/panel/issue has no unauthenticated twin in the bench build; /general is the page that has one)
 * Rounds interleave ACE, app and bare for each path. Prints each round, the medians and the median
 * per-round ratios.
 *
 * Memory part (bench/peer/memory.ts): then, with those servers stopped, RSS and collected heap of one fresh app
 * instance after --memory-loads panel loads over --memory-tenants installed sites.
 *
 * Writes bench/results/peer.json; exits 1 when any request failed (a socket error or a status of
 * 400 or more), or, with --gate, when a target of the issue is missed.
 *
 *   npm run bench:peer -- [--rounds 3] [--duration 10] [--connections 32] [--warmup 3]
 *                         [--memory-loads 100000] [--memory-tenants 1000]
 *                         [--no-memory | --memory-only] [--no-overhead] [--gate]
 *                         [--rebuild | --no-build] [--app-node-args="--cpu-prof --cpu-prof-dir=DIR"]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchBuild, hasTaskset, requireWrk, root, runWrkAsync, type WrkResult } from './lib/harness';
import { ACE_VERSION, ensureAce } from './peer/ace-install';
import { runMemory, type MemoryResult } from './peer/memory';
import { apiRequests, FORWARDED_HTTPS, pagePaths, withPrefix } from './peer/pools';
import { checkRefusals, checkTarget, type Target } from './peer/preflight';
import { checks, fmt, line, OVERHEAD_TARGET, ratios, summarise, type Check, type Ratios, type Summary } from './peer/report';
import { Cleanup, treeRss } from './peer/servers';
import { startStack } from './peer/setup';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    pool: { type: 'string', default: '2000' },
    'api-pool': { type: 'string', default: '1000' },
    issues: { type: 'string', default: '50' },
    items: { type: 'string', default: '3' },
    'no-overhead': { type: 'boolean', default: false },
    /** Extra node options for the app's process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` (a profile of the whole run). */
    'app-node-args': { type: 'string', default: '' },
    'memory-loads': { type: 'string', default: '100000' },
    'memory-tenants': { type: 'string', default: '1000' },
    'memory-chunk': { type: 'string', default: '10' },
    'no-memory': { type: 'boolean', default: false },
    'memory-only': { type: 'boolean', default: false },
    gate: { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

const num = (name: keyof typeof args): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${String(args[name])}`);
  return v;
};

/**
 * One wrk run, once more if wrk could not run at all (not for errors it counted: those are
 * results). Not blocking: the fake product in this process answers the app's license refreshes.
 */
async function wrkRound(t: Target, seconds: number, connections: number): Promise<WrkResult> {
  const opts = { seconds, connections, headers: FORWARDED_HTTPS };
  try {
    return await runWrkAsync(t.base, t.pool, opts);
  } catch (err) {
    console.error(`${t.name}: ${err instanceof Error ? err.message : err}; retrying once`);
    return runWrkAsync(t.base, t.pool, opts);
  }
}

interface ThroughputResult {
  seconds: number;
  rounds: number;
  connections: number;
  loadavg: { start: number[]; end: number[] };
  targets: Record<string, string>;
  bytes: Record<string, number>;
  warmup: Record<string, WrkResult>;
  runs: Record<string, WrkResult[]>;
  medians: Record<string, Summary>;
  ratios: Ratios;
  checks: Check[];
  errors: number;
  rssMB: Record<string, number>;
  appLogLines: number;
}

async function throughput(cleanup: Cleanup): Promise<ThroughputResult> {
  const seconds = num('duration');
  const rounds = num('rounds');
  const connections = num('connections');
  const warm = num('warmup');
  const issues = num('issues');
  ensureAce();
  const nodeArgs = (args['app-node-args'] ?? '').split(/\s+/).filter(Boolean);
  const stack = await startStack(cleanup, { issues, items: num('items'), nodeArgs });
  const { app, ace, bare, site } = stack;

  // Tokens outlive the whole part, however many targets, rounds and retries: twice the plan plus an hour.
  const planned = (targetCount: number) => targetCount * (warm + rounds * seconds) * 2 + 3600;
  const ttlSeconds = Math.max(1800, Math.ceil(planned(9)));
  const page = await pagePaths(app.url, site, num('pool'), { ttlSeconds });
  const api = await apiRequests(site, num('api-pool'), issues, { ttlSeconds });
  const targets: Target[] = [
    { name: 'panel:ace', base: ace.url, pool: page, describe: `ACE ${ACE_VERSION} addon.authenticate() + express-hbs template` },
    { name: 'panel:app', base: app.url, pool: page, describe: 'app GET /panel/issue' },
    { name: 'panel:bare', base: bare.url, pool: page, describe: 'bare node:http, same JWT + qsh check' },
    { name: 'api:ace', base: ace.url, pool: api, describe: `ACE ${ACE_VERSION} checkValidToken() + one store read` },
    { name: 'api:app', base: app.url, pool: api, describe: 'app GET /api/checklists/{issueId}, context JWT' },
    { name: 'api:bare', base: bare.url, pool: api, describe: 'bare node:http, same JWT check' },
    { name: 'api:ace-nostore', base: ace.url, pool: withPrefix(api, '/api/checklists', '/api/checklists-nostore'), describe: 'ACE checkValidToken(), no store read' },
  ];
  if (!args['no-overhead']) {
    const general = await pagePaths(app.url, site, num('pool'), { route: '/general', ttlSeconds });
    const open = [`/bench/general?clientKey=${encodeURIComponent(site.clientKey)}&lic=active&loc=de-DE`];
    targets.push(
      { name: 'page:app', base: app.url, pool: general, describe: 'app GET /general (page JWT)' },
      { name: 'page:app-open', base: app.url, pool: open, describe: 'app GET /bench/general (same handler, no auth)' },
    );
  }

  console.log('checking every target answers as it should…');
  const bytes: Record<string, number> = {};
  for (const t of targets) bytes[t.name] = await checkTarget(t, stack.items);
  await checkRefusals(
    [
      { name: 'app', base: app.url, scoped: true },
      { name: 'ACE', base: ace.url, scoped: true },
      { name: 'bare', base: bare.url, scoped: false },
    ],
    page[0]!,
    api,
  );
  for (const t of targets) console.log(`  ${t.name.padEnd(16)} ${String(bytes[t.name]).padStart(6)} bytes  ${t.describe}`);

  const logged = app.output().length;
  const warmup: Record<string, WrkResult> = {};
  for (const t of targets) warmup[t.name] = await wrkRound(t, warm, connections); // JIT, caches, connections

  const start = loadavg();
  console.log(
    `\n${rounds} round(s) × ${seconds} s, ${connections} connections, ${hasTaskset ? 'servers on core 0, wrk on core 1' : 'NOT pinned (no taskset)'}; ` +
      `load average ${start.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const runs: Record<string, WrkResult[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let i = 1; i <= rounds; i++) {
    for (const t of targets) {
      const r = await wrkRound(t, seconds, connections);
      runs[t.name]!.push(r);
      console.log(`round ${i}  ${line(t.name, r)}`);
    }
  }
  const end = loadavg();

  const medians = Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, summarise(rs)]));
  console.log('\nmedians over the rounds (errors: summed)');
  for (const [k, m] of Object.entries(medians)) console.log(`  ${line(k, m)}`);
  const r = ratios(runs);
  console.log('\nratios (median of the per-round ratios; req/s above 1 and p99 below 1 favour the app)');
  for (const [k, v] of Object.entries(r)) if (v !== undefined) console.log(`  ${k.padEnd(26)} ${k.includes('µs') ? fmt(v, 0) : fmt(v)}${k.startsWith('page auth/open') ? `   Connect-layer overhead on /general (issue target ≥ ${OVERHEAD_TARGET})` : ''}`);
  if (args['no-overhead']) console.log('  page auth/open req/s        skipped (--no-overhead)');
  console.log('  (no unauthenticated twin of /panel/issue in the bench build: the overhead row is /general beside /bench/general)');
  const errors = Object.values(medians).reduce((n, m) => n + m.errors, 0);
  const result = checks(r, errors);
  console.log(`\ntargets (issue 13${args.gate ? ', gated' : ', printed only: --gate fails the run on them'})`);
  for (const c of result) console.log(`  ${c.ok ? 'met   ' : 'MISSED'} ${c.target.padEnd(26)} ${fmt(c.value)}`);
  const appLog = app.output().slice(logged).split('\n').filter((l) => l.trim());
  if (appLog.length) {
    console.log(`\nthe app logged ${appLog.length} line(s) at warn or above during the load, e.g.:`);
    for (const l of appLog.slice(0, 3)) console.log(`  ${l.slice(0, 300)}`);
  }
  const mb = (pid: number) => treeRss(pid).bytes / 1024 / 1024;
  const rssMB = { app: mb(app.pid), ace: mb(ace.pid), bare: mb(bare.pid) };
  console.log(
    `\nresident memory after the rounds: app ${rssMB.app.toFixed(0)} MB, ACE ${rssMB.ace.toFixed(0)} MB, bare ${rssMB.bare.toFixed(0)} MB; ` +
      `load average at the end ${end.map((l) => l.toFixed(1)).join(' ')}`,
  );
  return {
    seconds,
    rounds,
    connections,
    loadavg: { start, end },
    targets: Object.fromEntries(targets.map((t) => [t.name, t.describe])),
    bytes,
    warmup,
    runs,
    medians,
    ratios: r,
    checks: result,
    errors,
    rssMB,
    appLogLines: appLog.length,
  };
}

async function main(): Promise<void> {
  if (args['no-memory'] && args['memory-only']) throw new Error('--no-memory and --memory-only exclude each other');
  requireWrk();
  const memoryLoads = num('memory-loads');
  const memoryTenants = num('memory-tenants');
  await benchBuild({ rebuild: args.rebuild, noBuild: args['no-build'] });

  let tp: ThroughputResult | undefined;
  let memory: MemoryResult | undefined;
  const run = async <T>(part: (cleanup: Cleanup) => Promise<T>): Promise<T> => {
    const cleanup = new Cleanup();
    const off = cleanup.onSignals();
    try {
      return await part(cleanup);
    } finally {
      await cleanup.run(); // each part's servers are gone before the next starts
      off();
    }
  };
  if (!args['memory-only']) tp = await run(throughput);
  if (!args['no-memory']) {
    console.log(`\nmemory: one app instance, ${memoryLoads} panel loads over ${memoryTenants} sites, ${num('connections')} connections`);
    memory = await run((cleanup) => runMemory(cleanup, { loads: memoryLoads, tenants: memoryTenants, chunkSeconds: num('memory-chunk'), connections: num('connections') }));
  }

  console.log('\nsummary (ratios app/ACE, median of the per-round ratios; the machine\'s load shows in every figure, ratios less so)');
  if (tp) {
    const r = tp.ratios;
    console.log(`  panel  req/s ${fmt(r['panel app/ACE req/s'])}×  p99 ${fmt(r['panel app/ACE p99'])}×`);
    console.log(`  api    req/s ${fmt(r['api app/ACE req/s'])}×  p99 ${fmt(r['api app/ACE p99'])}×`);
    console.log(`  Connect-layer overhead (/general authenticated / its unauthenticated twin, req/s) ${args['no-overhead'] ? 'skipped' : `${fmt(r['page auth/open req/s'])} (${fmt(r['page Connect layer µs/request'], 0)} µs per page load; a whole request of the bare verifier: ${fmt(r['panel bare µs/request'], 0)} µs)`}`);
    console.log(`  errors ${tp.errors}`);
  }
  if (memory) {
    console.log(
      `  memory: after ${memory.loads} panel loads over ${memory.tenants} sites, collected JS heap ${memory.heapEndMB.toFixed(1)} MB (${memory.secondHalfMB >= 0 ? '+' : ''}${memory.secondHalfMB.toFixed(1)} MB in the second half: ${memory.bounded ? 'bounded' : 'NOT bounded'}), ` +
        `RSS ${memory.endMB.toFixed(0)} MB (peak ${memory.peakMB.toFixed(0)} MB), errors ${memory.errors}`,
    );
  }

  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const out = path.join(root, 'bench/results/peer.json');
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), ace: ACE_VERSION, pinned: hasTaskset, appEnv: 'development', args, throughput: tp, memory }, null, 2));
  console.log(`\nwrote ${path.relative(root, out)}`);

  const errors = (tp?.errors ?? 0) + (memory?.errors ?? 0);
  if (errors > 0) {
    console.error(`${errors} request(s) failed`);
    process.exitCode = 1;
  }
  const missed = [...(tp?.checks ?? []).filter((c) => !c.ok).map((c) => c.target), ...(memory && !memory.bounded ? ['memory bounded'] : [])];
  if (missed.length && args.gate) {
    console.error(`${missed.length} target(s) missed: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  // Everything is stopped by now; do not wait on a straggling socket.
  .finally(() => setTimeout(() => process.exit(), 2_000).unref());
