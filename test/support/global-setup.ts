import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Integration tests run against the built app (`next start`), so build it once per run into its
 * own folder. `TEST_REBUILD=0` reuses an existing build (set by scripts/test.sh after it built).
 */
export const TEST_DIST_DIR = process.env.TEST_DIST_DIR ?? '.next-test';

export default function setup(): void {
  const buildId = path.join(process.cwd(), TEST_DIST_DIR, 'BUILD_ID');
  if (process.env.TEST_REBUILD === '0' && existsSync(buildId)) return;
  if (existsSync(buildId) && Date.now() - statSync(buildId).mtimeMs < 60_000) return;
  execFileSync('npx', ['next', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_DIST_DIR: TEST_DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' },
  });
}
