import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Integration tests run the BUILT app (`next start`) from its own dist folder. `npm test`
 * builds it first; a single test file run on its own builds it here if it is missing.
 * After changing app code, run `npm run build:test` (or set TEST_REBUILD=1) before a single file.
 */
export const TEST_DIST_DIR = process.env.TEST_DIST_DIR ?? '.next-test';

export function ensureBuilt(): void {
  const dist = path.join(process.cwd(), TEST_DIST_DIR);
  const buildId = path.join(dist, 'BUILD_ID');
  if (existsSync(buildId) && process.env.TEST_REBUILD !== '1') return;
  const lock = `${dist}.building`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another test process is building: wait for it
      execFileSync('sleep', ['1']);
      if (existsSync(buildId) && process.env.TEST_REBUILD !== '1') return;
    }
  }
  try {
    execFileSync('npx', ['next', 'build'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NEXT_DIST_DIR: TEST_DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' },
    });
    process.env.TEST_REBUILD = '0';
  } finally {
    rmdirSync(lock);
  }
}

export default function setup(): void {
  ensureBuilt();
}
