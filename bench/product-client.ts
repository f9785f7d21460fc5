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
 * 30 s, bulkhead 10 + 40 queued per tenant). Prints a table; writes bench/results/product-client.json.
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

type Scenario = { name: string; describe: string; apply: (f: FakeProduct) => void };
const scenarios: Scenario[] = [
  { name: 'healthy', describe: 'answers at once', apply: () => undefined },
  { name: 'slow +2s', describe: '2 s added latency', apply: (f) => (f.latencyMs = 2_000) },
  { name: '50% errors', describe: '50 % 503', apply: (f) => ((f.errorRate = 0.5), (f.errorStatus = 503)) },
];

interface Row {
  scenario: string;
  mode: 'live' | 'swr-warm';
  n: number;
  served: number;
  p50: number;
  p99: number;
  max: number;
  outcomes: Record<string, number>;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function drive(n: number, concurrency: number, one: (i: number) => Promise<string>): Promise<{ times: number[]; outcomes: Record<string, number> }> {
  const times: number[] = [];
  const outcomes: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      const outcome = await one(i);
      times.push(performance.now() - t0);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { times: times.sort((a, b) => a - b), outcomes };
}

async function setup() {
  const fake = new FakeProduct(newFakeSite());
  for (let i = 0; i < KEYS; i++) fake.issues.set(String(20_000 + i), { id: String(20_000 + i), key: `BEN-${i}`, summary: `Issue ${i}` });
  await fake.start();
  const dir = new TenantDirectory();
  dir.put(tenantOf(fake));
  const client = new ProductClient({ appKey: TEST_APP_KEY, resolveTenant: dir.resolve, authServerUrl: fake.authServerUrl, timeoutMs: 5_000 });
  // Warm-up while healthy (JIT, keep-alive sockets), so the rows measure the fault, not a cold start.
  await drive(40, CONCURRENCY, (i) => getIssueSummary(client.asApp(fake.site.clientKey), String(20_000 + (i % KEYS))).then(() => 'ok'));
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
      const r = await drive(REQUESTS, CONCURRENCY, (i) =>
        getIssueSummary(client.asApp(ck), String(20_000 + (i % KEYS)), { timeoutMs: DEADLINE_MS }).then(() => 'ok', kind),
      );
      rows.push({ scenario: s.name, mode: 'live', n: REQUESTS, served: r.outcomes.ok ?? 0, p50: quantile(r.times, 0.5), p99: quantile(r.times, 0.99), max: r.times.at(-1)!, outcomes: r.outcomes });
      await fake.stop();
    }
    // swr-warm: warm every key while healthy, then the fault, then reads
    {
      const { fake, client, ck } = await setup();
      const reads = new CachedProductReads(client, { cache: new SwrCache({ freshMs: 0 }), appKey: TEST_APP_KEY, renderBudgetMs: DEADLINE_MS });
      for (let i = 0; i < KEYS; i++) await reads.issueSummary(ck, String(20_000 + i));
      s.apply(fake);
      const r = await drive(REQUESTS, CONCURRENCY, async (i) => {
        try {
          const c = await reads.issueSummary(ck, String(20_000 + (i % KEYS)), { budgetMs: DEADLINE_MS });
          return c.error ? `stale+${c.error.kind}` : c.stale ? 'stale' : 'fresh';
        } catch (err) {
          return `failed:${kind(err)}`;
        }
      });
      const served = Object.entries(r.outcomes).filter(([k]) => !k.startsWith('failed')).reduce((a, [, v]) => a + v, 0);
      rows.push({ scenario: s.name, mode: 'swr-warm', n: REQUESTS, served, p50: quantile(r.times, 0.5), p99: quantile(r.times, 0.99), max: r.times.at(-1)!, outcomes: r.outcomes });
      // let background refreshes end before the site goes away
      await new Promise((res) => setTimeout(res, fake.latencyMs + 200));
      await fake.stop();
    }
  }

  const fmt = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  const header = ['scenario', 'mode', 'n', 'served', 'p50 ms', 'p99 ms', 'max ms', 'outcomes'];
  const lines = rows.map((r) => [
    r.scenario,
    r.mode,
    String(r.n),
    `${((100 * r.served) / r.n).toFixed(0)}%`,
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.max),
    Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`product client latency, deadline ${DEADLINE_MS} ms, ${REQUESTS} reads per row, concurrency ${CONCURRENCY}, ${KEYS} issues, node ${process.version}`);
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));

  const out = path.resolve(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'product-client.json'), JSON.stringify({ at: new Date().toISOString(), deadlineMs: DEADLINE_MS, requests: REQUESTS, concurrency: CONCURRENCY, keys: KEYS, rows }, null, 2));
  const worst = Math.max(...rows.map((r) => r.p99));
  if (worst > DEADLINE_MS + 100) {
    console.error(`p99 ${worst.toFixed(0)} ms exceeds the ${DEADLINE_MS} ms deadline`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
