/**
 * `npm run bench:profile -- [--route panel|api|general] [--duration 10] [--top 40] [--no-build]`: a CPU profile of the
 * app server under the bench:peer load of one route (wrk on core 1, the app pinned to core 0),
 * written to .tmp/profile/ and summarised as the top self-time functions. The tool behind the
 * measurements of issue 13: where a request's time goes.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchBuild, requireWrk, root, runWrkAsync } from './lib/harness';
import { apiRequests, FORWARDED_HTTPS, pagePaths } from './peer/pools';
import { Cleanup } from './peer/servers';
import { startAppWithSite } from './peer/setup';

const { values: args } = parseArgs({
  options: {
    route: { type: 'string', default: 'panel' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    top: { type: 'string', default: '40' },
    rebuild: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }

/**
 * Self time per function over the samples of the measured wrk run only (the profile also holds
 * start-up: opening and migrating the database, loading modules): the last `windowMs` before the
 * server began to stop.
 */
function summarise(file: string, top: number, windowMs: number, stopMs: number): void {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; endTime: number; startTime: number };
  const at: number[] = [];
  let t = prof.startTime;
  for (const d of prof.timeDeltas) at.push((t += d));
  const hitsOf = new Map<number, number>();
  const to = prof.endTime - stopMs * 1000;
  const from = to - windowMs * 1000;
  prof.samples.forEach((id, i) => {
    if (at[i]! >= from && at[i]! <= to) hitsOf.set(id, (hitsOf.get(id) ?? 0) + 1);
  });
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const hits = hitsOf.get(n.id) ?? 0;
    total += hits;
    const f = n.callFrame;
    const where = f.url.replace(/^file:\/\//, '').replace(root, '.');
    const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + hits);
    const bucket = where.includes('node_modules/next/') ? 'next' : where.includes('node_modules/') ? where.split('node_modules/')[1]!.split('/').slice(0, where.includes('node_modules/@') ? 2 : 1).join('/') : where.startsWith('node:') ? where.split('/')[0]! : where ? (where.startsWith('./.next') ? 'app bundle' : where) : f.functionName;
    byFile.set(bucket, (byFile.get(bucket) ?? 0) + hits);
  }
  const pct = (v: number) => ((100 * v) / total).toFixed(1).padStart(5);
  console.log(`\nself time by package/file (${total} samples):`);
  for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)} %  ${k}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)} %  ${k}`);
}

async function main(): Promise<void> {
  requireWrk();
  await benchBuild({ rebuild: args.rebuild, noBuild: args['no-build'] });
  const dir = path.join(root, '.tmp/profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cleanup = new Cleanup();
  let stopMs = 0;
  try {
    const { app, site, product } = await startAppWithSite(cleanup, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    const route = args.route!;
    const pool = route === 'api' ? await apiRequests(site, 1000, 50) : await pagePaths(app.url, site, 2000, { route: route === 'panel' ? '/panel/issue' : `/${route}`, issues: 50 });
    const opts = { seconds: Number(args.duration), connections: Number(args.connections), headers: FORWARDED_HTTPS };
    await runWrkAsync(app.url, pool, { ...opts, seconds: 3 });
    const calls = product.requests.length;
    const r = await runWrkAsync(app.url, pool, opts);
    console.log(`${route}: ${Math.round(r.rps)} req/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, errors ${r.errors}`);
    // Product calls the app made while measured (each a request that may have waited on the product).
    const during = new Map<string, number>();
    for (const q of product.requests.slice(calls)) during.set(`${q.method} ${q.path.split('?')[0]}`, (during.get(`${q.method} ${q.path.split('?')[0]}`) ?? 0) + 1);
    console.log(`product calls during the load: ${product.requests.length - calls}${[...during].map(([k, n]) => `\n  ${n} × ${k}`).join('')}`);
    const stopping = performance.now();
    await app.stop();
    stopMs = performance.now() - stopping;
  } finally {
    await cleanup.run();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  summarise(path.join(dir, file), Number(args.top), Number(args.duration) * 1000 - 500, stopMs + 200);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
