/**
 * Jira's points-based rate limits against the product client, with and without pacing (issue 15).
 * The real product client (JWT with qsh, deadlines, retries, breaker, the 429 reaction) calls the
 * real emulator over HTTP with its limits on and set small enough to bite within the run:
 *   quota    — one app-wide pool (Tier 1) of --quota points for the hour
 *   burst    — GET --burst-get, PUT/POST --burst-write requests per second per endpoint
 *   per-issue writes — Jira's documented windows (20 per 2 s, 100 per 30 s)
 * The same mixed workload runs twice in one process (the emulator's counters cleared between):
 * first unpaced (`pacing: false`, the client only reacts to 429s: the baseline), then paced (the
 * client's budgets, in process, learning the pool and burst sizes from the answers). Arrivals are
 * open-loop, Poisson at --rate operations per second from a seeded PRNG, so both runs get the same sequence:
 *   panel view  (50 %) getIssueSummary of one of 8 issues, 1.5 s deadline (a page's render budget)
 *   edit        (15 %) PUT an issue property on the one issue being edited, 5 s deadline
 *   admin view  (10 %) checkGlobalPermission (POST permissions/check), 1.5 s deadline
 *   property write (25 %) PUT an issue property on any of the 8 issues, 5 s deadline
 * Prints, per run: the 429s the product sent by RateLimit-Reason, the points the emulator's ledger
 * charged, HTTP calls made, operations refused without a call, and the panel view's p50/p99 (every
 * view timed, served or not). Writes bench/results/ratelimit.json. Targets (exit 1 when missed):
 * no 429 from the quota or the pool in the paced run; paced panel p99 not above the unpaced one
 * (plus --slack ms of scheduling noise).
 *
 *   npm run bench:ratelimit -- [--seconds 30] [--rate 40] [--quota 1200] [--burst-get 30] [--burst-write 20] [--slack 25]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkGlobalPermission, getIssueSummary, isProductApiError, ProductClient, type Tenant } from 'atlassian-connect-next';
import type { AppDescriptor } from '../emulator/lib/descriptor';
import { userByKey } from '../emulator/lib/directory';
import { Emulator } from '../emulator/lib/emulator';
import { prng } from '../test/support/prng';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '40' },
    quota: { type: 'string', default: '1200' },
    'burst-get': { type: 'string', default: '30' },
    'burst-write': { type: 'string', default: '20' },
    slack: { type: 'string', default: '25' },
    seed: { type: 'string', default: '15' },
  },
});
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);
const QUOTA = Number(args.quota);
const SLACK_MS = Number(args.slack);
const APP_KEY = 'com.example.bench-ratelimit';
const SECRET = 'bench-ratelimit-shared-secret-long-enough-for-hs256';
const ISSUES = Array.from({ length: 8 }, (_, i) => `DEMO-${i + 1}`);

type Op = 'panel view' | 'edit' | 'admin view' | 'property write';
const MIX: [Op, number][] = [
  ['panel view', 0.5],
  ['edit', 0.15],
  ['admin view', 0.1],
  ['property write', 0.25],
];

function schedule(): { at: number; op: Op; issue: string }[] {
  const rnd = prng(Number(args.seed));
  // Poisson arrivals: the bursts a real app sees (and Jira's burst limit is for), at RATE on average.
  let at = 0;
  return Array.from({ length: Math.round(SECONDS * RATE) }, () => {
    at += (-Math.log(1 - rnd()) * 1000) / RATE;
    let r = rnd();
    const op = MIX.find(([, w]) => (r -= w) < 0)?.[0] ?? 'panel view';
    return { at, op, issue: op === 'edit' ? 'DEMO-1' : ISSUES[Math.floor(rnd() * ISSUES.length)]! };
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
};

interface RunResult {
  name: string;
  calls: number;
  limited: Record<string, number>;
  points: number;
  outcomes: Record<Op, Record<string, number>>;
  /** Pacing's waits and refusals by limit, and NearLimit answers. */
  waits: Record<string, number>;
  panel: { n: number; p50: number; p99: number; max: number };
}

async function run(emu: Emulator, name: string, paced: boolean): Promise<RunResult> {
  await fetch(`${emu.url}/_emu/api/rate-limits`, { method: 'DELETE' });
  const site = emu.site('jira');
  const tenant: Tenant = {
    clientKey: site.clientKey, appKey: APP_KEY, sharedSecret: SECRET, baseUrl: site.baseUrl, displayUrl: null, productType: 'jira', cloudId: null,
    oauthClientId: null, description: null, serverVersion: null, pluginsVersion: null, serviceEntitlementNumber: null, enabled: true,
    installedAt: new Date(0), uninstalledAt: null, lastSeenAt: null, forgeInstallationId: null,
  };
  const limited: Record<string, number> = {};
  const waits: Record<string, number> = {};
  let calls = 0;
  const client = new ProductClient({
    appKey: APP_KEY,
    resolveTenant: async (ck) => (ck === tenant.clientKey ? tenant : null),
    authServerUrl: `${emu.url}/oauth2/token`,
    timeoutMs: 5_000,
    pacing: paced ? {} : false,
    observer: {
      paced: (e) => void (waits[`${e.limit} ${e.refused ? 'refused' : 'waited'}`] = (waits[`${e.limit} ${e.refused ? 'refused' : 'waited'}`] ?? 0) + 1),
      nearLimit: () => void (waits['NearLimit answers'] = (waits['NearLimit answers'] ?? 0) + 1),
    },
    fetch: async (input, init) => {
      calls++;
      const res = await fetch(input, init);
      if (res.status === 429) {
        const reason = res.headers.get('ratelimit-reason') ?? 'none';
        limited[reason] = (limited[reason] ?? 0) + 1;
      }
      return res;
    },
  });
  const rq = client.asApp(site.clientKey);
  const admin = userByKey('admin')!.accountId;
  const outcomes = Object.fromEntries(MIX.map(([op]) => [op, {}])) as RunResult['outcomes'];
  const panelMs: number[] = [];
  const t0 = performance.now();
  const work = schedule().map(async ({ at, op, issue }) => {
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + at - performance.now())));
    const started = performance.now();
    let outcome = 'ok';
    try {
      if (op === 'panel view') await getIssueSummary(rq, issue, { timeoutMs: 1_500 });
      else if (op === 'admin view') await checkGlobalPermission(rq, admin, 'ADMINISTER', { timeoutMs: 1_500 });
      else await rq.put(`/rest/api/3/issue/${issue}/properties/checklist`, { at, op }, { timeoutMs: 5_000 });
    } catch (err) {
      outcome = isProductApiError(err) ? `${err.kind}${err.limit ? `:${err.limit}` : ''}${err.kind === 'rate_limited' && err.attempts === 0 ? ' (unsent)' : ''}` : 'error';
    }
    if (op === 'panel view') panelMs.push(performance.now() - started);
    outcomes[op][outcome] = (outcomes[op][outcome] ?? 0) + 1;
  });
  await Promise.all(work);
  const ledger = (await (await fetch(`${emu.url}/_emu/api/rate-limits`)).json()) as { sites: { appKey: string; spent: number }[] };
  const points = ledger.sites.filter((s) => s.appKey === APP_KEY).reduce((n, s) => n + s.spent, 0);
  console.log(`${name}: done`);
  return { name, calls, limited, points, outcomes, waits, panel: { n: panelMs.length, p50: quantile(panelMs, 0.5), p99: quantile(panelMs, 0.99), max: Math.max(...panelMs) } };
}

async function main(): Promise<void> {
  const emu = await new Emulator({ appUrl: 'http://localhost:9', port: 0, keysPort: 0, quiet: true, extensions: [] }).start();
  try {
    const site = emu.site('jira');
    Object.assign(site, { installed: true, enabled: true, sharedSecret: SECRET });
    site.descriptor = { key: APP_KEY, name: 'Bench', baseUrl: 'http://localhost:9', scopes: ['READ', 'WRITE'], enableLicensing: false } as AppDescriptor;
    const limits = {
      quota: { pointsPerHour: QUOTA, scope: 'app' },
      burst: { perSecond: { GET: Number(args['burst-get']), POST: Number(args['burst-write']), PUT: Number(args['burst-write']) } },
      perIssueWrites: true,
    };
    const on = await fetch(`${emu.url}/_emu/api/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(limits) });
    if (!on.ok) throw new Error(`emulator refused the limits: ${on.status} ${await on.text()}`);
    const base = await run(emu, 'unpaced', false);
    const paced = await run(emu, 'paced', true);
    report(base, paced, limits);
  } finally {
    await emu.stop();
  }
}

function report(base: RunResult, paced: RunResult, limits: unknown): void {
  const reasons = [...new Set([...Object.keys(base.limited), ...Object.keys(paced.limited)])].sort();
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  const rows: [string, string, string][] = [
    ['HTTP calls made', fmt(base.calls), fmt(paced.calls)],
    ['points spent (emulator ledger)', fmt(base.points), fmt(paced.points)],
    ...reasons.map((r): [string, string, string] => [`429s: ${r}`, fmt(base.limited[r] ?? 0), fmt(paced.limited[r] ?? 0)]),
    ['429s: total', fmt(Object.values(base.limited).reduce((a, b) => a + b, 0)), fmt(Object.values(paced.limited).reduce((a, b) => a + b, 0))],
    [`panel view p50 ms (n=${base.panel.n})`, fmt(base.panel.p50), fmt(paced.panel.p50)],
    ['panel view p99 ms', fmt(base.panel.p99), fmt(paced.panel.p99)],
    ['panel view max ms', fmt(base.panel.max), fmt(paced.panel.max)],
  ];
  for (const k of [...new Set([...Object.keys(base.waits), ...Object.keys(paced.waits)])].sort()) rows.push([`pacing/reaction: ${k}`, fmt(base.waits[k] ?? 0), fmt(paced.waits[k] ?? 0)]);
  for (const [op] of MIX) {
    const keys = [...new Set([...Object.keys(base.outcomes[op]), ...Object.keys(paced.outcomes[op])])].sort();
    for (const k of keys) rows.push([`${op}: ${k}`, fmt(base.outcomes[op][k] ?? 0), fmt(paced.outcomes[op][k] ?? 0)]);
  }
  const w = [Math.max(...rows.map((r) => r[0].length)), 18, 10];
  console.log(`\nJira rate limits, ${SECONDS} s at ${RATE} ops/s (${Math.round(SECONDS * RATE)} ops), quota ${QUOTA} points/h app-wide, burst GET ${args['burst-get']}/s, PUT/POST ${args['burst-write']}/s, node ${process.version}`);
  console.log(`${'metric'.padEnd(w[0]!)}  ${'unpaced (baseline)'.padStart(w[1]!)}  ${'paced'.padStart(w[2]!)}`);
  console.log(`${'-'.repeat(w[0]!)}  ${'-'.repeat(w[1]!)}  ${'-'.repeat(w[2]!)}`);
  for (const [m, a, b] of rows) console.log(`${m.padEnd(w[0]!)}  ${a.padStart(w[1]!)}  ${b.padStart(w[2]!)}`);
  mkdirSync(path.join('bench', 'results'), { recursive: true });
  writeFileSync(path.join('bench', 'results', 'ratelimit.json'), `${JSON.stringify({ at: new Date().toISOString(), args, limits, unpaced: base, paced }, null, 2)}\n`);
  const quotaHits = Object.entries(paced.limited).filter(([r]) => r.includes('quota')).reduce((n, [, c]) => n + c, 0);
  const failures = [
    ...(quotaHits > 0 ? [`paced run received ${quotaHits} 429s from the quota or pool`] : []),
    ...(paced.panel.p99 > base.panel.p99 + SLACK_MS ? [`paced panel p99 ${fmt(paced.panel.p99)} ms > unpaced ${fmt(base.panel.p99)} ms + ${SLACK_MS}`] : []),
  ];
  if (failures.length) {
    console.log(`\nTARGETS MISSED:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  } else console.log('\ntargets met: no 429 from the quota or pool when paced; paced panel p99 not above the unpaced one');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
