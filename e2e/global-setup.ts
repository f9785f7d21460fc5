import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { APP_DIR, DIST_DIR } from './support/stack';

/**
 * Builds the app once into its own folder (NEXT_DIST_DIR=.next-emu), only when a source file
 * is newer than the last build. `E2E_REBUILD=1` forces a build, `E2E_REBUILD=0` never builds.
 */

const SOURCES = ['app', 'lib', 'components', 'public', 'prisma', 'instrumentation.ts', 'next.config.js', 'package.json', 'proxy.ts'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(p)) {
    if (name === 'generated' || name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(p, name)));
  }
  return newest;
}

export default function globalSetup(): void {
  const buildId = path.join(APP_DIR, DIST_DIR, 'BUILD_ID');
  const mode = process.env.E2E_REBUILD;
  if (mode === '0' && existsSync(buildId)) return;
  const stale = !existsSync(buildId) || SOURCES.some((s) => newestMtime(path.join(APP_DIR, s)) > statSync(buildId).mtimeMs);
  if (mode !== '1' && !stale) return;
  const started = Date.now();
  execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    cwd: APP_DIR,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' },
  });
  process.stdout.write(`e2e: built the app into ${DIST_DIR} in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
