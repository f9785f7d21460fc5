/**
 * Latency of the product REST client's own calls, against a local fake product site over real
 * HTTP, in one process. Three product conditions:
 *   healthy   — the site answers at once
 *   slow      — every answer takes 2 s more (a site warming up after a restart)
 *   errors    — 50 % of answers are 503 (deterministic PRNG)
 * and two ways of reading, both with a 1.5 s deadline:
 *   live      — getIssueSummary() through the client (deadline, retries, breaker, bulkhead)
 *   swr-warm  — CachedProductReads.issueSummary() with a warm cache that is always stale
 *               (fresh window 0), so every read also triggers a background refresh
 * Client settings are the production defaults (Atlassian retry constants, breaker 5 failures /
 * 30 s, bulkhead 10 + 40 queued per tenant). Prints a table (reads served beside the timings of
 * the served ones); writes bench/results/product-client.json. Targets, each a failed run when missed:
 *   - no read outlives its deadline (every read, served or not, ends within it + 100 ms);
 *   - swr-warm: every read is served in every condition, p99 <= a tenth of the deadline (a
 *     warm page read never waits for the product);
 *   - live: only the outcomes the condition explains — healthy: all ok; slow: timeouts at the
 *     deadline (then the open circuit); errors: ok or unavailable (a 503 is not retried past
 *     the deadline; then the open circuit). Anything else (network, auth, invalid) fails.
 *
 *   npm run bench:client -- [--requests 300] [--concurrency 8] [--keys 50]
 *
 * The panel-level benchmark (render time of the issue panel under the same faults) belongs
 * with the panel; this one isolates the client.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CachedProductReads, getIssueSummary, isProductApiError, ProductClient, SwrCache } from 'atlassian-connect-next';
import { FakeProduct, newFakeSite, tenantOf, TenantDirectory, TEST_APP_KEY } from 'atlassian-connect-next/testing';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    keys: { type: 'string', default: '50' },
  },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const KEYS = Number(args.keys);
const DEADLINE_MS = 1_500;
/** Scheduling slack for "ended by the deadline". */
const DEADLINE_SLACK_MS = 100;
/** A warm SWR read answers from memory: a tenth of the deadline is generous. */
const SWR_P99_MS = DEADLINE_MS / 10;

type Scenario = {
  name: string;
  describe: string;
  apply: (f: FakeProduct) => void;
  /** Outcomes a live read may have under this condition. */
  live: string[];
};
const scenarios: Scenario[] = [
  { name: 'healthy', describe: 'answers at once', apply: () => undefined, live: ['ok'] },
  { name: 'slow +2s', describe: '2 s added latency', apply: (f) => (f.latencyMs = 2_000), live: ['timeout', 'circuit_open'] },
  { name: '50% errors', describe: '50 % 503', apply: (f) => ((f.errorRate = 0.5), (f.errorStatus = 503)), live: ['ok', 'unavailable', 'circuit_open'] },
];

interface Row {
  scenario: string;
  mode: 'live' | 'swr-warm';
  n: number;
  served: number;
  /** Percentiles of the served reads. */
  p50: number;
  p99: number;
  max: number;
  /** The slowest read of all, served or not. */
  maxAll: number;
  outcomes: Record<string, number>;
  target: string;
  missed: string[];
}

const isServed = (mode: Row['mode'], outcome: string) => (mode === 'live' ? outcome === 'ok' : !outcome.startsWith('failed'));

function evaluate(r: Omit<Row, 'target' | 'missed'>, s: Scenario): Row {
  const missed: string[] = [];
  if (r.maxAll > DEADLINE_MS + DEADLINE_SLACK_MS) missed.push(`a read took ${r.maxAll.toFixed(0)} ms, past the ${DEADLINE_MS} ms deadline`);
  let target: string;
  if (r.mode === 'swr-warm') {
    target = `all served, p99 <= ${SWR_P99_MS} ms`;
    if (r.served < r.n) missed.push(`${r.n - r.served} of ${r.n} reads not served`);
    if (!(r.p99 <= SWR_P99_MS)) missed.push(`p99 ${r.p99.toFixed(0)} ms > ${SWR_P99_MS} ms`);
  } else {
    target = `only ${s.live.join(' / ')}`;
    const unexpected = Object.keys(r.outcomes).filter((k) => !s.live.includes(k));
    if (unexpected.length) missed.push(`unexpected outcomes: ${unexpected.map((k) => `${k} ${r.outcomes[k]}`).join(', ')}`);
  }
  return { ...r, target, missed };
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Runs the reads; times of served reads apart from the slowest read of all. */
async function drive(n: number, concurrency: number, served: (outcome: string) => boolean, one: (i: number) => Promise<string>) {
  const times: number[] = [];
  const outcomes: Record<string, number> = {};
  let maxAll = 0;
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      const outcome = await one(i);
      const ms = performance.now() - t0;
      maxAll = Math.max(maxAll, ms);
      if (served(outcome)) times.push(ms);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  times.sort((a, b) => a - b);
  return { served: times.length, p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times.at(-1) ?? NaN, maxAll, outcomes };
}

async function setup() {
  const fake = new FakeProduct(newFakeSite());
  for (let i = 0; i < KEYS; i++) fake.issues.set(String(20_000 + i), { id: String(20_000 + i), key: `BEN-${i}`, summary: `Issue ${i}` });
  await fake.start();
  const dir = new TenantDirectory();
  dir.put(tenantOf(fake));
  const client = new ProductClient({ appKey: TEST_APP_KEY, resolveTenant: dir.resolve, authServerUrl: fake.authServerUrl, timeoutMs: 5_000 });
  // Warm-up while healthy (JIT, keep-alive sockets), so the rows measure the fault, not a cold start.
  await drive(40, CONCURRENCY, () => true, (i) => getIssueSummary(client.asApp(fake.site.clientKey), String(20_000 + (i % KEYS))).then(() => 'ok'));
  return { fake, client, ck: fake.site.clientKey };
}

const kind = (err: unknown) => (isProductApiError(err) ? err.kind : 'other');

async function main() {
  const rows: Row[] = [];
  for (const s of scenarios) {
    // live: a fresh client per scenario, so breaker state does not carry over
    {
      const { fake, client, ck } = await setup();
      s.apply(fake);
      const r = await drive(REQUESTS, CONCURRENCY, (o) => isServed('live', o), (i) =>
        getIssueSummary(client.asApp(ck), String(20_000 + (i % KEYS)), { timeoutMs: DEADLINE_MS }).then(() => 'ok', kind),
      );
      rows.push(evaluate({ scenario: s.name, mode: 'live', n: REQUESTS, ...r }, s));
      await fake.stop();
    }
    // swr-warm: warm every key while healthy, then the fault, then reads
    {
      const { fake, client, ck } = await setup();
      const reads = new CachedProductReads(client, { cache: new SwrCache({ freshMs: 0 }), appKey: TEST_APP_KEY, renderBudgetMs: DEADLINE_MS });
      for (let i = 0; i < KEYS; i++) await reads.issueSummary(ck, String(20_000 + i));
      s.apply(fake);
      const r = await drive(REQUESTS, CONCURRENCY, (o) => isServed('swr-warm', o), async (i) => {
        try {
          const c = await reads.issueSummary(ck, String(20_000 + (i % KEYS)), { budgetMs: DEADLINE_MS });
          return c.error ? `stale+${c.error.kind}` : c.stale ? 'stale' : 'fresh';
        } catch (err) {
          return `failed:${kind(err)}`;
        }
      });
      rows.push(evaluate({ scenario: s.name, mode: 'swr-warm', n: REQUESTS, ...r }, s));
      // let background refreshes end before the site goes away
      await new Promise((res) => setTimeout(res, fake.latencyMs + 200));
      await fake.stop();
    }
  }

  const fmt = (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(0));
  const header = ['scenario', 'mode', 'n', 'served', 'p50 ms', 'p99 ms', 'max ms', 'slowest', 'target', 'met', 'outcomes'];
  const lines = rows.map((r) => [
    r.scenario,
    r.mode,
    String(r.n),
    `${((100 * r.served) / r.n).toFixed(0)}%`,
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.max),
    fmt(r.maxAll),
    r.target,
    r.missed.length ? 'NO' : 'yes',
    Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`product client latency (p50/p99/max of served reads; slowest of all reads), deadline ${DEADLINE_MS} ms, ${REQUESTS} reads per row, concurrency ${CONCURRENCY}, ${KEYS} issues, node ${process.version}`);
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));

  const out = path.resolve(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'product-client.json'), JSON.stringify({ at: new Date().toISOString(), deadlineMs: DEADLINE_MS, requests: REQUESTS, concurrency: CONCURRENCY, keys: KEYS, rows }, null, 2));
  const missed = rows.flatMap((r) => r.missed.map((m) => `${r.scenario} / ${r.mode}: ${m}`));
  if (missed.length) {
    console.error(`target missed:\n  ${missed.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
