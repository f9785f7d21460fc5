import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Integration tests run the BUILT app (`next start`) from its own dist folder. `npm test`
 * builds it first; a single test file run on its own builds it here if it is missing.
 * After changing app code, run `npm run build:test` or set TEST_REBUILD=1 (rebuilt once per run).
 */
export const TEST_DIST_DIR = process.env.TEST_DIST_DIR ?? '.next-test';

/** Builds when there is no build, or when `force` (vitest's global setup with TEST_REBUILD=1). */
export function ensureBuilt(force = false): void {
  const dist = path.join(process.cwd(), TEST_DIST_DIR);
  const buildId = path.join(dist, 'BUILD_ID');
  if (existsSync(buildId) && !force) return;
  const lock = `${dist}.building`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another test process is building: wait for it
      execFileSync('sleep', ['1']);
      if (existsSync(buildId) && !force) return;
    }
  }
  try {
    execFileSync('npx', ['next', 'build'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NEXT_DIST_DIR: TEST_DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' },
    });
  } finally {
    rmdirSync(lock);
  }
}

/** Vitest global setup: runs once in the main process, before any test file starts a server. */
export default function setup(): void {
  if (process.env.TEST_REBUILD === '1') ensureBuilt(true);
}
