/**
 * The counts behind `npm test`'s closing line, read from a stage's JSON report (Vitest's `json`
 * reporter or Playwright's). Counts that cannot flatter a run:
 * - a Vitest file that failed without a failing test (its `beforeAll`/`afterAll` threw, or it
 *   did not load) is one failure, and the tests it never ran are "not run", not "skipped";
 * - an error in a file's own hooks is a failure even when one of its tests failed too;
 * - Playwright's `flaky` (failed, then passed on a retry) and its global errors are failures.
 *
 *   node --import tsx scripts/report-counts.ts vitest|playwright <report.json>
 * prints `passed failed skipped notRun` on one line, and what failed outside a test on stderr.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Tests that never ran because their suite failed around them. */
  notRun: number;
  /** Failures outside a test: "file: message". */
  brokenSuites: string[];
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string }[] }[];
}

interface PlaywrightReport {
  stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number };
  errors?: { message?: string }[];
}

export function vitestCounts(r: VitestReport, root = process.cwd()): Counts {
  let failed = r.numFailedTests;
  let skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  let notRun = 0;
  const brokenSuites: string[] = [];
  for (const file of r.testResults) {
    if (file.status !== 'failed') continue;
    const failedTests = file.assertionResults.filter((a) => a.status === 'failed').length;
    const hookError = (file.message ?? '').trim();
    if (failedTests > 0 && !hookError) continue;
    failed += 1;
    brokenSuites.push(`${path.relative(root, file.name)}: ${hookError || 'a suite failed outside its tests (beforeAll/afterAll)'}`);
    if (failedTests === 0) {
      const idle = file.assertionResults.filter((a) => a.status !== 'passed').length;
      notRun += idle;
      skipped -= idle;
    }
  }
  return { passed: r.numPassedTests, failed, skipped: Math.max(0, skipped), notRun, brokenSuites };
}

export function playwrightCounts(r: PlaywrightReport): Counts {
  const s = r.stats ?? {};
  const errors = (r.errors ?? []).map((e) => `global: ${(e.message ?? 'error').split('\n')[0]}`);
  return {
    passed: s.expected ?? 0,
    failed: (s.unexpected ?? 0) + (s.flaky ?? 0) + errors.length,
    skipped: s.skipped ?? 0,
    notRun: 0,
    brokenSuites: [...errors, ...(s.flaky ? [`${s.flaky} flaky (failed, then passed on a retry): counted as failed`] : [])],
  };
}

function main(): void {
  const [kind, file] = process.argv.slice(2);
  if ((kind !== 'vitest' && kind !== 'playwright') || !file) {
    process.stderr.write('usage: report-counts.ts vitest|playwright <report.json>\n');
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const c = kind === 'vitest' ? vitestCounts(report as VitestReport) : playwrightCounts(report as PlaywrightReport);
  for (const b of c.brokenSuites) process.stderr.write(`  failed outside a test: ${b}\n`);
  process.stdout.write(`${c.passed} ${c.failed} ${c.skipped} ${c.notRun}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) main();
