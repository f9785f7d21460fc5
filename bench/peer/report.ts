import { median, type WrkResult } from '../lib/harness';

/**
 * Figures of `npm run bench:peer`: per-target medians over the rounds, the app/ACE ratios and the
 * issue's targets. A ratio is the median of the per-round ratios: each round measures ACE, the
 * app and the bare server back to back, so pairing them cancels most of a busy machine's drift.
 */

export interface Summary {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  badStatus: number;
  requests: number;
}

export function summarise(runs: WrkResult[]): Summary {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50ms: median(runs.map((r) => r.p50ms)),
    p99ms: median(runs.map((r) => r.p99ms)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    badStatus: runs.reduce((n, r) => n + r.badStatus, 0),
    requests: runs.reduce((n, r) => n + r.requests, 0),
  };
}

/** Median over rounds of `num[i].field / den[i].field` (undefined when either side is missing). */
export function pairedRatio(runs: Record<string, WrkResult[]>, num: string, den: string, field: 'rps' | 'p99ms'): number | undefined {
  const a = runs[num];
  const b = runs[den];
  if (!a?.length || !b?.length) return undefined;
  return median(a.slice(0, b.length).map((r, i) => r[field] / b[i]![field]));
}

/**
 * Microseconds of the server's core per request that `num` spends beyond `den` (median over the
 * rounds): the server is pinned to one saturated core, so a request costs 1e6 / (req/s) µs.
 */
export function pairedExtraMicros(runs: Record<string, WrkResult[]>, num: string, den: string): number | undefined {
  const a = runs[num];
  const b = runs[den];
  if (!a?.length || !b?.length) return undefined;
  return median(a.slice(0, b.length).map((r, i) => 1e6 / r.rps - 1e6 / b[i]!.rps));
}

export interface Check {
  target: string;
  value: number | undefined;
  ok: boolean;
}

export interface Ratios {
  [name: string]: number | undefined;
}

/** The ratios printed and written to JSON; names read "numerator / denominator, field". */
export function ratios(runs: Record<string, WrkResult[]>): Ratios {
  return {
    'panel app/ACE req/s': pairedRatio(runs, 'panel:app', 'panel:ace', 'rps'),
    'panel app/ACE p99': pairedRatio(runs, 'panel:app', 'panel:ace', 'p99ms'),
    'api app/ACE req/s': pairedRatio(runs, 'api:app', 'api:ace', 'rps'),
    'api app/ACE p99': pairedRatio(runs, 'api:app', 'api:ace', 'p99ms'),
    'api app/ACE-nostore req/s': pairedRatio(runs, 'api:app', 'api:ace-nostore', 'rps'),
    'panel app/bare req/s': pairedRatio(runs, 'panel:app', 'panel:bare', 'rps'),
    'api app/bare req/s': pairedRatio(runs, 'api:app', 'api:bare', 'rps'),
    'panel ACE/bare req/s': pairedRatio(runs, 'panel:ace', 'panel:bare', 'rps'),
    'page auth/open req/s': pairedRatio(runs, 'page:app', 'page:app-open', 'rps'),
    // The same overhead in time: what the Connect layer costs a page load, beside a whole request of the bare verifier.
    'page Connect layer µs/request': pairedExtraMicros(runs, 'page:app', 'page:app-open'),
    'panel bare µs/request': runs['panel:bare']?.length ? median(runs['panel:bare'].map((r) => 1e6 / r.rps)) : undefined,
  };
}

/** The targets (issue 13): printed; the run fails on them only with --gate (errors always fail it). */
export function checks(r: Ratios, errors: number): Check[] {
  const atLeast = (target: string, value: number | undefined, min: number): Check => ({ target, value, ok: value !== undefined && value >= min });
  const atMost = (target: string, value: number | undefined, max: number): Check => ({ target, value, ok: value !== undefined && value <= max });
  return [
    atLeast('panel req/s ≥ 1.0× ACE', r['panel app/ACE req/s'], 1),
    atMost('panel p99 ≤ ACE p99', r['panel app/ACE p99'], 1),
    atLeast('api req/s ≥ 1.0× ACE', r['api app/ACE req/s'], 1),
    { target: 'zero errors', value: errors, ok: errors === 0 },
  ];
}

/** Not gated (printed): the page's Connect layer within 10 % of the same route unauthenticated. */
export const OVERHEAD_TARGET = 0.9;

export const fmt = (v: number | undefined, digits = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** One target's figures; `errors` counts every failed request, `status≥400` those of them that were answers. */
export function line(name: string, r: Pick<WrkResult, 'rps' | 'p50ms' | 'p99ms' | 'errors' | 'badStatus'>): string {
  return `${name.padEnd(18)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50ms.toFixed(1).padStart(6)} ms  p99 ${r.p99ms.toFixed(1).padStart(6)} ms  errors ${r.errors} (status≥400 ${r.badStatus})`;
}
