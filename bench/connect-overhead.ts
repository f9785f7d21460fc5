/**
 * `npm run bench`: what the Connect layer costs on the request path.
 *
 * In one run, on the same machine (server pinned to core 0, wrk to core 1), it measures req/s
 * and p50/p99 of:
 *   page      GET /general with a page JWT (HS256, qsh, lic/loc/tz) — withPageAuth
 *   page-open GET /bench/general — the same handler, no authentication (a twin in the bench build)
 *   api       GET /api/context with a context JWT (qsh: context-qsh) — withApiAuth
 *   api-open  GET /bench/api-context — the same handler, no authentication
 *   bare-page / bare-api  a bare node:http server doing the same JWT + qsh verification
 * Each target runs --runs times (default 3) interleaved; medians and the ratios are printed and
 * written to bench/results/connect-overhead.json. Target: authenticated ≥ 90 % of its twin, 0 errors.
 *
 *   npm run bench -- [--seconds 8] [--runs 3] [--connections 32] [--rebuild | --no-build]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { contextToken, FakeKeys, newSite, pageUrl, sendLifecycle } from '../test/support/product';
import { FakeProduct } from 'atlassian-connect-next/testing';
import { benchBuild, fetchFresh, freePort, hasTaskset, median, requireWrk, root, runWrk, startApp, startPinned, stopChild, type WrkResult } from './lib/harness';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    pool: { type: 'string', default: '1000' },
    rebuild: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

/** Authenticated throughput at least this share of its unauthenticated twin's. */
const MIN_TWIN_RATIO = 0.9;

interface Target {
  name: string;
  base: string;
  paths: string[];
  headers?: Record<string, string>;
}

async function main(): Promise<void> {
  requireWrk();
  await benchBuild({ rebuild: args.rebuild, noBuild: args['no-build'] });
  const keys = new FakeKeys();
  const cdn = await keys.start();
  // The site's product answers the app's license lookups (context-JWT API calls), as Jira does.
  const product = new FakeProduct();
  await product.start();
  const app = await startApp({ CONNECT_KEYS_CDN_URL: cdn, ALLOWED_PRODUCT_HOSTS: new URL(product.url).host });
  const site = newSite({ baseUrl: product.url });
  product.sites.push(site);
  const bareChild: { stop?: () => Promise<void> } = {};
  try {
    const res = await sendLifecycle(app.url, keys, site, 'installed');
    if (res.status !== 204) throw new Error(`install failed: ${res.status} ${await res.text()}`);

    const port = await freePort();
    const bareUrl = `http://127.0.0.1:${port}`;
    const bare = await startPinned(
      'node',
      ['--import', 'tsx', path.join(root, 'bench/bare-server.ts')],
      { ...process.env, PORT: String(port), BASE_URL: bareUrl, CLIENT_KEY: site.clientKey, SHARED_SECRET: site.sharedSecret },
      `${bareUrl}/health`,
    );
    bareChild.stop = () => stopChild(bare);

    const n = Number(args.pool);
    const signed = async (base: string, route: string) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const u = new URL(await pageUrl(base, site, route, { accountId: `user-${i % 50}`, params: { lic: 'active', loc: 'de-DE', tz: 'Europe/Berlin' }, ttlSeconds: 1800 }));
        out.push(u.pathname + u.search);
      }
      return out;
    };
    const ctx = await contextToken(site, 'user-1', { ttlSeconds: 1800 });
    const open = (route: string) => [`${route}?clientKey=${encodeURIComponent(site.clientKey)}&lic=active&loc=de-DE`];
    const targets: Target[] = [
      { name: 'page', base: app.url, paths: await signed(app.url, '/general') },
      { name: 'page-open', base: app.url, paths: open('/bench/general') },
      { name: 'api', base: app.url, paths: ['/api/context'], headers: { Authorization: `JWT ${ctx}` } },
      { name: 'api-open', base: app.url, paths: open('/bench/api-context') },
      { name: 'bare-page', base: bareUrl, paths: await signed(bareUrl, '/general') },
      { name: 'bare-api', base: bareUrl, paths: ['/api/context'], headers: { Authorization: `JWT ${ctx}` } },
    ];
    for (const t of targets) {
      const r = await fetchFresh(t.base + t.paths[0], { headers: t.headers });
      if (r.status !== 200) throw new Error(`${t.name}: ${r.status} ${(await r.text()).slice(0, 200)}`);
      runWrk(t.base, t.paths, { seconds: 2, connections: Number(args.connections), headers: t.headers }); // warm-up
    }
    const runs: Record<string, WrkResult[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let i = 0; i < Number(args.runs); i++) {
      for (const t of targets) {
        const r = runWrk(t.base, t.paths, { seconds: Number(args.seconds), connections: Number(args.connections), headers: t.headers });
        runs[t.name]!.push(r);
        console.log(`run ${i + 1} ${t.name.padEnd(10)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50ms.toFixed(1)} ms  p99 ${r.p99ms.toFixed(1)} ms  ok ${Math.max(0, r.requests - r.errors)}/${r.requests}  errors ${r.errors}`);
      }
    }
    const med = Object.fromEntries(
      Object.entries(runs).map(([k, rs]) => [
        k,
        { rps: median(rs.map((r) => r.rps)), p50ms: median(rs.map((r) => r.p50ms)), p99ms: median(rs.map((r) => r.p99ms)), requests: rs.reduce((a, r) => a + r.requests, 0), errors: rs.reduce((a, r) => a + r.errors, 0) },
      ]),
    );
    console.log('\nmedians (ok: answered 2xx/3xx, over all runs)');
    console.log('target       req/s    p50 ms   p99 ms                ok  errors');
    for (const [k, m] of Object.entries(med)) {
      const ok = `${Math.max(0, m.requests - m.errors)}/${m.requests}`;
      console.log(`${k.padEnd(10)} ${m.rps.toFixed(0).padStart(7)} ${m.p50ms.toFixed(1).padStart(8)} ${m.p99ms.toFixed(1).padStart(8)} ${ok.padStart(17)} ${String(m.errors).padStart(7)}`);
    }
    const ratios = {
      'page / page-open': med.page!.rps / med['page-open']!.rps,
      'api / api-open': med.api!.rps / med['api-open']!.rps,
      'page / bare-page': med.page!.rps / med['bare-page']!.rps,
      'api / bare-api': med.api!.rps / med['bare-api']!.rps,
    };
    // The target compares each authenticated route with its unauthenticated twin in the same app;
    // the bare-server ratios are for information.
    const gated = new Set(['page / page-open', 'api / api-open']);
    console.log(`\nratios (target: authenticated ≥ ${MIN_TWIN_RATIO.toFixed(2)} of its unauthenticated twin)`);
    for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(18)} ${v.toFixed(2)}${gated.has(k) ? (v >= MIN_TWIN_RATIO ? '  ok' : '  MISSED') : '  (information)'}`);
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    writeFileSync(
      path.join(root, 'bench/results/connect-overhead.json'),
      JSON.stringify({ at: new Date().toISOString(), pinned: hasTaskset, seconds: Number(args.seconds), connections: Number(args.connections), runs, medians: med, ratios }, null, 2),
    );
    const errors = Object.values(med).reduce((a, m) => a + m.errors, 0);
    const missed = Object.entries(ratios).filter(([k, v]) => gated.has(k) && !(v >= MIN_TWIN_RATIO));
    if (errors) console.error(`${errors} requests failed (non-2xx/3xx, socket errors or timeouts)`);
    for (const [k, v] of missed) console.error(`target missed: ${k} = ${v.toFixed(2)} < ${MIN_TWIN_RATIO.toFixed(2)}`);
    if (errors || missed.length) process.exitCode = 1;
  } finally {
    await bareChild.stop?.();
    await app.stop();
    await keys.stop();
    await product.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
