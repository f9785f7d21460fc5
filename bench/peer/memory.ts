import { loadavg } from 'node:os';
import path from 'node:path';
import { FakeKeys, install, newSite, pageUrl, readBootstrap } from '../../test/support/product';
import { runWrkAsync, startApp, writeWrkPool } from '../lib/harness';
import { FORWARDED_HTTPS } from './pools';
import { getWithRetry } from './preflight';
import { scratchDir, treeRss, type Cleanup } from './servers';

/**
 * The memory part of `npm run bench:peer`: resident memory of one app instance (the bench build,
 * pinned to core 0, a fresh one: the throughput servers are stopped by then) while it serves
 * `loads` panel loads (default 100 000) spread over `tenants` sites (default 1 000), each
 * installed by a signed install and each load its own page JWT (so every per-tenant and
 * per-token cache sees as many distinct keys as production would). RSS (VmRSS from
 * /proc/<pid>/status, summed over the app's process tree) is sampled after start, after the
 * installs and after every chunk of loads, beside the JS heap after a full collection (the
 * instance runs with --expose-gc; the bench build's /bench/heap collects and reports). The target
 * of issue 13, bounded memory, is judged on what the app retains: the second half of the loads may
 * add at most max(8 MB, 10 %) to the collected heap, where a cache without a limit would grow
 * with every new token, user and issue; RSS is reported beside it (it also holds heap V8 keeps
 * after collecting, and the embedded database's memory). Any failed load is an error.
 */
export interface MemoryOptions {
  loads: number;
  tenants: number;
  chunkSeconds: number;
  connections: number;
}

export interface MemoryResult {
  loads: number;
  tenants: number;
  connections: number;
  samples: Sample[];
  startMB: number;
  installedMB: number;
  /** The collected JS heap after the installs, half-way and at the end (MB). */
  heapInstalledMB: number;
  heapHalfMB: number;
  heapEndMB: number;
  halfMB: number;
  endMB: number;
  peakMB: number;
  secondHalfMB: number;
  allowanceMB: number;
  bounded: boolean;
  errors: number;
  badStatus: number;
}

interface Sample {
  label: string;
  loads: number;
  rssMB: number;
  processes: number;
  seconds: number;
  rps?: number;
  errors?: number;
  /** The JS heap after a full collection (MB). */
  heapMB?: number;
}

/** Runs `task` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/** Expects the bench build to be there (peer.ts builds it first). */
export async function runMemory(cleanup: Cleanup, o: MemoryOptions): Promise<MemoryResult> {
  const keys = new FakeKeys();
  const cdn = await keys.start();
  cleanup.add(() => keys.stop());
  const app = await startApp({ CONNECT_KEYS_CDN_URL: cdn, TRUST_PROXY: '1' }, { nodeArgs: ['--expose-gc'] });
  cleanup.add(() => app.stop());
  const heapMB = async (): Promise<number> => {
    const res = await getWithRetry(`${app.url}/bench/heap`);
    if (res.status !== 200) throw new Error(`/bench/heap: ${res.status} (is this the bench build?)`);
    return ((await res.json()) as { heapUsed: number }).heapUsed / 1024 / 1024;
  };

  const t0 = Date.now();
  const samples: Sample[] = [];
  const sample = async (label: string, loads: number, extra: Partial<Sample> = {}): Promise<Sample> => {
    const { bytes, processes } = treeRss(app.pid);
    const s: Sample = { label, loads, rssMB: bytes / 1024 / 1024, processes, seconds: (Date.now() - t0) / 1000, ...extra, heapMB: await heapMB() };
    samples.push(s);
    const rate = s.rps === undefined ? '' : `  (${s.rps.toFixed(0)} req/s, ${s.errors} errors)`;
    console.log(`  ${label.padEnd(22)} RSS ${s.rssMB.toFixed(1).padStart(7)} MB  heap ${s.heapMB!.toFixed(1).padStart(6)} MB  ${processes} process(es)${rate}`);
    return s;
  };
  const started = await sample('started', 0);

  console.log(`  installing ${o.tenants} sites (signed installs)…`);
  const sites = Array.from({ length: o.tenants }, () => newSite());
  await inParallel(sites, 4, (site) => install(app.url, keys, site));
  const installed = await sample('installed', 0);

  console.log(`  signing ${o.loads} page loads…`);
  // Valid for the whole part however slow the machine: at least 3 h, or 20 loads a second.
  const ttlSeconds = Math.max(3 * 3600, Math.ceil(o.loads / 20) + 3600);
  const paths: string[] = [];
  for (let i = 0; i < o.loads; i++) {
    const site = sites[i % sites.length]!; // tenants interleaved: every chunk reaches all of them
    const params = { issueKey: `CHK-${i}`, issueId: String(10_000 + i), projectKey: 'CHK', projectId: '100', lic: 'active' as const, loc: 'de-DE', tz: 'Europe/Berlin' };
    const u = new URL(await pageUrl(app.url, site, '/panel/issue', { accountId: `user-${i % 500}`, params, ttlSeconds }));
    paths.push(u.pathname + u.search);
  }
  const pool = writeWrkPool(path.join(scratchDir(cleanup, 'memory'), 'paths.txt'), paths);
  for (const p of [paths[0]!, paths[paths.length - 1]!]) {
    const res = await getWithRetry(app.url + p);
    const html = await res.text();
    if (res.status !== 200 || !readBootstrap(html).sessionToken) throw new Error(`panel load: ${res.status} ${html.slice(0, 300)}`);
  }

  let sent = 0;
  let errors = 0;
  let badStatus = 0;
  let rate = 0;
  while (sent < o.loads) {
    // wrk runs for whole seconds, not a number of requests: a first 2 s chunk measures the rate,
    // then each chunk aims at a tenth of the loads (at most --memory-chunk seconds, at least 1 s)
    // and the last at what is left, so the total lands near `loads` (the figures use the true count).
    // Every chunk starts in the pool where the last one stopped.
    const want = Math.min(o.loads - sent, Math.ceil(o.loads / 10));
    const seconds = rate > 0 ? Math.max(1, Math.min(o.chunkSeconds, Math.round(want / rate))) : Math.min(2, o.chunkSeconds);
    const r = await runWrkAsync(app.url, pool, { seconds, connections: o.connections, headers: FORWARDED_HTTPS, start: (sent % paths.length) + 1 });
    if (r.requests === 0) throw new Error('no panel load completed in a whole chunk');
    sent += r.requests;
    errors += r.errors;
    badStatus += r.badStatus;
    rate = r.rps;
    await sample(`${sent} loads`, sent, { rps: r.rps, errors: r.errors });
  }
  await new Promise((r) => setTimeout(r, 5_000));
  const end = await sample('idle 5 s', sent);

  const half = samples.find((s) => s.loads >= sent / 2) ?? end;
  const peak = Math.max(...samples.map((s) => s.rssMB));
  const allowance = Math.max(8, half.heapMB! * 0.1);
  const secondHalf = end.heapMB! - half.heapMB!;
  const bounded = secondHalf <= allowance;
  const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;
  console.log(
    `  ${sent} loads over ${o.tenants} sites: collected heap ${installed.heapMB!.toFixed(1)} MB installed, ${half.heapMB!.toFixed(1)} MB at ${half.loads} loads, ` +
      `${end.heapMB!.toFixed(1)} MB at the end; second half ${signed(secondHalf)} (allowed ${allowance.toFixed(1)} MB): ${bounded ? 'bounded' : 'NOT bounded'}; ` +
      `RSS ${started.rssMB.toFixed(0)} MB at start, ${installed.rssMB.toFixed(0)} MB installed, ${half.rssMB.toFixed(0)} MB half-way, ${end.rssMB.toFixed(0)} MB at the end (peak ${peak.toFixed(0)} MB); ` +
      `errors ${errors} (status≥400 ${badStatus}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  return {
    loads: sent,
    tenants: o.tenants,
    connections: o.connections,
    samples,
    startMB: started.rssMB,
    installedMB: installed.rssMB,
    heapInstalledMB: installed.heapMB!,
    heapHalfMB: half.heapMB!,
    heapEndMB: end.heapMB!,
    halfMB: half.rssMB,
    endMB: end.rssMB,
    peakMB: peak,
    secondHalfMB: secondHalf,
    allowanceMB: allowance,
    bounded,
    errors,
    badStatus,
  };
}
