import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { alive } from '../../lib/db/embedded-lock';
import { buildAppServer } from '../build-server';
import { buildStandalone } from '../build-standalone';

/**
 * Build-if-stale for every way the stack starts (dev:emulator, integration tests, Playwright,
 * benches): one notion of "the sources changed", one lock so parallel callers build once.
 *
 * Staleness is a fingerprint of the contents of every file `next build` can read, stored in the
 * dist dir after a successful build. Content, not mtimes: a deleted route counts, a `touch` does
 * not, and clocks do not matter.
 */

/** Where the app's sources and builds live (STACK_APP_DIR: e.g. a clean export of HEAD). */
export const ROOT = path.resolve(__dirname, '..', '..', process.env.STACK_APP_DIR ?? '.');

export type BuildKind = 'app' | 'bench';

export interface BuildSpec {
  kind: BuildKind;
  /** Relative to the app root; passed to next.config.js as NEXT_DIST_DIR. */
  distDir: string;
  /** Extra environment of `next build` and `next start` for this build. */
  env: Record<string, string>;
}

/** `app`: the product as shipped. `bench`: the same plus the `*.bench.ts(x)` routes (next.config.js). */
export function buildSpec(kind: BuildKind = 'app'): BuildSpec {
  if (kind === 'bench') return { kind, distDir: process.env.STACK_BENCH_DIST_DIR ?? '.next-bench', env: { BENCH_BUILD: '1' } };
  return { kind, distDir: process.env.STACK_DIST_DIR ?? '.next-stack', env: {} };
}

/**
 * Top-level entries `next build` never reads. Everything else at the top level counts (app/,
 * lib/, components/, public/, prisma/, instrumentation.ts, next.config.js, tsconfig*.json,
 * package*.json, .env*, and whatever is added later), so a new source folder is rebuilt by
 * default. ESLint (eslint.config.mjs, "the product imports no tooling") keeps app/, lib/ and
 * components/ from importing these folders, which is what makes leaving them out safe.
 */
const NOT_READ_BY_BUILD = new Set([
  'bench',
  'docs',
  'e2e',
  'emulator',
  'forge',
  'scripts',
  'test',
  'node_modules',
  'test-results',
  'playwright-report',
  'README.md',
  'eslint.config.mjs',
  'playwright.config.ts',
  'vitest.config.mts',
  'prisma.config.ts',
  // Written by `next build` and `tsc` themselves.
  'next-env.d.ts',
  'tsconfig.tsbuildinfo',
]);

/**
 * Build output inside source folders, which `next build` never reads: the framework package's own
 * build (`npm run build -w lib/connect`, made by the pack test while the suites run) must not make
 * the app's build stale.
 */
const NOT_READ_INSIDE = new Set(['lib/connect/dist']);

/** Folders the bench build reads on top of the app's (the modules its `*.bench.ts` routes import). */
const BENCH_ONLY_INPUTS = ['bench/app'];

const isTest = (name: string) => /\.test\.tsx?$/.test(name);

function walk(root: string, rel: string, out: string[]): void {
  if (NOT_READ_INSIDE.has(rel.split(path.sep).join('/'))) return;
  const abs = path.join(root, rel);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isFile()) {
    if (!isTest(rel)) out.push(rel);
    return;
  }
  if (!st.isDirectory()) return;
  for (const name of readdirSync(abs)) {
    if (name === 'node_modules') continue;
    walk(root, path.join(rel, name), out);
  }
}

/** The files a build of `kind` reads, relative to `root`, sorted. */
export function buildInputs(root: string, kind: BuildKind): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (NOT_READ_BY_BUILD.has(entry.name)) continue;
    // Hidden folders are VCS, CI, caches and build output (.git, .ci, .next*, .tmp, .data); hidden files (.env*) are read.
    if (entry.isDirectory() && entry.name.startsWith('.')) continue;
    walk(root, entry.name, out);
  }
  if (kind === 'bench') for (const dir of BENCH_ONLY_INPUTS) walk(root, dir, out);
  return out.sort();
}

export function sourceFingerprint(root: string, kind: BuildKind): { fingerprint: string; files: number } {
  const files = buildInputs(root, kind);
  const hash = createHash('sha256').update(`kind:${kind}\n`);
  for (const f of files) hash.update(`${f}\0`).update(createHash('sha256').update(readFileSync(path.join(root, f))).digest('hex')).update('\n');
  return { fingerprint: hash.digest('hex'), files: files.length };
}

const STAMP = 'stack-fingerprint.json';

export type BuildState = 'fresh' | 'stale' | 'missing';

export function buildState(root: string, spec: BuildSpec): BuildState {
  const dist = path.join(root, spec.distDir);
  if (!existsSync(path.join(dist, 'BUILD_ID'))) return 'missing';
  try {
    const stamp = JSON.parse(readFileSync(path.join(dist, STAMP), 'utf8')) as { fingerprint?: string };
    return stamp.fingerprint === sourceFingerprint(root, spec.kind).fingerprint ? 'fresh' : 'stale';
  } catch {
    return 'stale';
  }
}

export type Builder = (root: string, spec: BuildSpec) => Promise<void>;

/** `next build` into the spec's dist dir; its output goes to `<dist>/stack-build.log`, and is shown on failure. */
export const nextBuild: Builder = async (root, spec) => {
  const dist = path.join(root, spec.distDir);
  const child = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: root,
    env: { ...process.env, ...spec.env, NEXT_DIST_DIR: spec.distDir, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, 'stack-build.log'), out);
  if (code !== 0) throw new Error(`next build (${spec.distDir}) failed with exit code ${code}:\n${out.slice(-6000)}`);
  // The app server (server/main.ts) that serves this build, and (not for the bench build) the
  // deployable artifact around it: CI's one build makes what test/package/standalone.test.ts runs.
  await buildAppServer(root, spec.distDir, { bench: spec.kind === 'bench' });
  if (spec.kind === 'app') {
    const { traced, seconds } = await buildStandalone(root, spec.distDir);
    writeFileSync(path.join(dist, 'stack-build.log'), `${out}\nstandalone: ${traced} files traced from the app server, assembled in ${seconds.toFixed(1)} s\n`);
  }
};

/** A directory lock (mkdir is atomic); a lock left by a dead process is taken over. */
async function withLock<T>(lockDir: string, fn: () => Promise<T>, onWait: () => void): Promise<T> {
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'owner'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(path.join(lockDir, 'owner'), 'utf8') || NaN);
      } catch {
        /* the holder has not written its pid yet, or just released the lock */
      }
      if (Number.isFinite(owner) && !alive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!waited) onWait();
      waited = true;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

export interface EnsureBuildOptions {
  kind?: BuildKind;
  root?: string;
  /**
   * 'auto' builds when the sources changed since the last build; 'always' builds once anyway;
   * 'never' uses what is there (and fails if there is no build). Default: STACK_REBUILD
   * (`1` = always, `0` = never), else 'auto'.
   */
  mode?: 'auto' | 'always' | 'never';
  builder?: Builder;
  log?: (line: string) => void;
}

export interface EnsuredBuild {
  spec: BuildSpec;
  built: boolean;
  seconds: number;
}

function defaultMode(): 'auto' | 'always' | 'never' {
  return process.env.STACK_REBUILD === '1' ? 'always' : process.env.STACK_REBUILD === '0' ? 'never' : 'auto';
}

/** Dist dirs this process already rebuilt on request: 'always' means once per run, not per app started. */
const forcedHere = new Set<string>();

/**
 * Makes sure the build of `kind` matches the sources, building it if not. Callers in several
 * processes at once (test workers) wait for one build instead of each making their own.
 */
export async function ensureBuild(opts: EnsureBuildOptions = {}): Promise<EnsuredBuild> {
  const root = opts.root ?? ROOT;
  const spec = buildSpec(opts.kind);
  const dist = path.join(root, spec.distDir);
  let mode = opts.mode ?? defaultMode();
  if (mode === 'always' && forcedHere.has(dist)) mode = 'auto';
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  if (mode === 'never') {
    if (buildState(root, spec) === 'missing') throw new Error(`no build in ${spec.distDir} and STACK_REBUILD=0`);
    return { spec, built: false, seconds: 0 };
  }
  if (mode === 'auto' && buildState(root, spec) === 'fresh') return { spec, built: false, seconds: 0 };
  return withLock(
    `${dist}.lock`,
    async () => {
      // Whoever held the lock may just have built these very sources.
      const before = sourceFingerprint(root, spec.kind);
      if (mode === 'auto' && buildState(root, spec) === 'fresh') return { spec, built: false, seconds: (Date.now() - started) / 1000 };
      log(`building the ${spec.kind} into ${spec.distDir} (${before.files} source files; about a minute)…`);
      await (opts.builder ?? nextBuild)(root, spec);
      if (mode === 'always') forcedHere.add(dist);
      // Stamp what was built, not what is there now: an edit during the build stays stale.
      writeFileSync(path.join(dist, STAMP), JSON.stringify({ fingerprint: before.fingerprint, files: before.files, builtAt: new Date().toISOString() }, null, 2));
      const seconds = (Date.now() - started) / 1000;
      log(`built ${spec.distDir} in ${seconds.toFixed(0)} s`);
      return { spec, built: true, seconds };
    },
    () => log(`waiting for the build in ${spec.distDir} another process is making…`),
  );
}
