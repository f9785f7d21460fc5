import { describe, expect, it } from 'vitest';
import { playwrightCounts, vitestCounts } from './report-counts';

const file = (name: string, status: string, results: string[], message = '') => ({
  name: `/repo/${name}`,
  status,
  message,
  assertionResults: results.map((s) => ({ status: s })),
});

describe('npm test counts', () => {
  it('counts a file whose beforeAll threw as a failure, and its tests as not run (not skipped)', () => {
    // As Vitest reports it: the file failed, its tests "skipped", no failing test.
    const c = vitestCounts(
      {
        numPassedTests: 3,
        numFailedTests: 0,
        numPendingTests: 3,
        testResults: [file('a.test.ts', 'failed', ['skipped', 'skipped']), file('b.test.ts', 'passed', ['passed', 'passed', 'passed', 'skipped'])],
      },
      '/repo',
    );
    expect(c).toMatchObject({ passed: 3, failed: 1, skipped: 1, notRun: 2 });
    expect(c.brokenSuites).toEqual(['a.test.ts: a suite failed outside its tests (beforeAll/afterAll)']);
  });

  it('counts an afterAll error beside a failed test of the same file', () => {
    const c = vitestCounts({ numPassedTests: 1, numFailedTests: 1, testResults: [file('b.test.ts', 'failed', ['passed', 'failed'], 'cleanup failed')] }, '/repo');
    expect(c).toMatchObject({ passed: 1, failed: 2, skipped: 0, notRun: 0 });
    expect(c.brokenSuites).toEqual(['b.test.ts: cleanup failed']);
  });

  it('adds nothing for a file whose only trouble is a failing test', () => {
    expect(vitestCounts({ numPassedTests: 1, numFailedTests: 1, testResults: [file('c.test.ts', 'failed', ['passed', 'failed'])] })).toMatchObject({ failed: 1, brokenSuites: [] });
  });

  it('counts Playwright flaky tests and global errors as failures', () => {
    const c = playwrightCounts({ stats: { expected: 10, unexpected: 1, flaky: 2, skipped: 3 }, errors: [{ message: 'globalSetup: build failed\nstack' }] });
    expect(c).toMatchObject({ passed: 10, failed: 4, skipped: 3 });
    expect(c.brokenSuites).toEqual(['global: globalSetup: build failed', '2 flaky (failed, then passed on a retry): counted as failed']);
  });
});
