import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuild, hasTaskset, startApp as startStackApp, stopProcess, type AppServer, type StartAppOptions } from '../../scripts/stack';

export { freePort, hasTaskset } from '../../scripts/stack';

/**
 * Shared benchmark plumbing: the server under test pinned to core 0, wrk pinned to core 1,
 * request paths rotated from a pool (each request its own signed URL), figures parsed from wrk.
 */
export const root = path.resolve(__dirname, '..', '..');

export function pin(cpu: string, cmd: string, argv: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', cpu, cmd, ...argv]] : [cmd, argv];
}

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  /** Every failed request: socket errors, timeouts and responses with a status of 400 or more. */
  errors: number;
  /** Of `errors`, the responses with a status of 400 or more (what wrk counts as status errors). */
  badStatus: number;
}

export function requireWrk(): void {
  if (spawnSync('wrk', ['-v']).error) throw new Error('wrk not found: apt-get install -y wrk');
}

/**
 * The bench build (BENCH_BUILD=1 into .next-bench: the app plus its `*.bench.ts` comparators),
 * rebuilt when the sources changed; `--rebuild` forces it, `--no-build` uses what is there.
 */
export async function benchBuild(flags: { rebuild?: boolean; noBuild?: boolean } = {}): Promise<void> {
  // startApp checks the build again (scripts/stack): --no-build must hold there too.
  if (flags.noBuild) process.env.STACK_REBUILD = '0';
  await ensureBuild({ kind: 'bench', mode: flags.rebuild ? 'always' : flags.noBuild ? 'never' : undefined, log: (line) => console.log(line) });
}

/** One request of a wrk pool: a path with headers of its own (e.g. its own Authorization). */
export interface WrkRequest {
  path: string;
  headers: Record<string, string>;
}

const poolLine = (r: string | WrkRequest): string => {
  if (typeof r === 'string') return r;
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`);
  if ([r.path, ...headers].some((s) => /[\t\r\n]/.test(s))) throw new Error(`a wrk request may not contain tabs or line breaks: ${r.path}`);
  return [r.path, ...headers].join('\t');
};

/** A pool written once (e.g. 100 000 page URLs) for many wrk runs; see `writeWrkPool`. */
export interface WrkPoolFile {
  file: string;
}

export function writeWrkPool(file: string, paths: (string | WrkRequest)[]): WrkPoolFile {
  writeFileSync(file, paths.map(poolLine).join('\n'));
  return { file };
}

type WrkPool = (string | WrkRequest)[] | WrkPoolFile;
interface WrkOptions {
  seconds: number;
  connections: number;
  headers?: Record<string, string>;
  start?: number;
}

/** The pool's file (written to a temp dir unless already a file), wrk's command line and env. */
function wrkCommand(baseUrl: string, paths: WrkPool, opts: WrkOptions): { cmd: string; argv: string[]; env: NodeJS.ProcessEnv; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'wrk-'));
  const file = 'file' in paths ? paths.file : path.join(dir, 'paths.txt');
  if (!('file' in paths)) writeFileSync(file, paths.map(poolLine).join('\n'));
  const [cmd, argv] = pin('1', 'wrk', ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '10s', '-s', path.join(root, 'bench/wrk-paths.lua'), baseUrl]);
  const env = { ...process.env, WRK_PATHS: file, WRK_HEADERS: JSON.stringify(opts.headers ?? {}), ...(opts.start ? { WRK_START: String(opts.start) } : {}) };
  return { cmd, argv, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function parseWrk(stdout: string, stderr: string): WrkResult {
  const line = /WRK_JSON (\{.*\})/.exec(stdout)?.[1];
  if (!line) throw new Error(`wrk failed: ${stderr || stdout}`);
  const j = JSON.parse(line) as Record<string, number>;
  const errors = j.connect! + j.read! + j.write! + j.status! + j.timeout!;
  return { rps: j.requests! / (j.duration_us! / 1e6), p50ms: j.p50_us! / 1000, p99ms: j.p99_us! / 1000, requests: j.requests!, errors, badStatus: j.status! };
}

/**
 * Runs wrk over a pool of requests (paths, or paths with their own headers; `headers` go on every
 * request), returns throughput and latency. `start` (1-based) fixes where the rotation begins.
 * Blocks this process while wrk runs: servers living in it (a fake product) cannot answer then;
 * use `runWrkAsync` when the app may call them during the run.
 */
export function runWrk(baseUrl: string, paths: WrkPool, opts: WrkOptions): WrkResult {
  const c = wrkCommand(baseUrl, paths, opts);
  try {
    const r = spawnSync(c.cmd, c.argv, { env: c.env, encoding: 'utf8' });
    return parseWrk(r.stdout ?? '', r.stderr ?? '');
  } finally {
    c.cleanup();
  }
}

/** `runWrk` without blocking: this process's servers (fake product, install keys) keep answering. */
export async function runWrkAsync(baseUrl: string, paths: WrkPool, opts: WrkOptions): Promise<WrkResult> {
  const c = wrkCommand(baseUrl, paths, opts);
  try {
    const child = spawn(c.cmd, c.argv, { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', () => resolve());
    });
    return parseWrk(stdout, stderr);
  } finally {
    c.cleanup();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Server {
  url: string;
  stop(): Promise<void>;
}

/** Starts a process pinned to core 0 and waits until `probe` answers 2xx. */
export async function startPinned(cmd: string, argv: string[], env: NodeJS.ProcessEnv, probe: string): Promise<ChildProcess & { output: () => string }> {
  const [c, a] = pin('0', cmd, argv);
  let out = '';
  const child = spawn(c, a, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { output: () => string };
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  child.output = () => out;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited:\n${out}`);
    if (await fetch(probe).then((r) => r.ok, () => false)) return child;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${cmd} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const stopChild = (child: ChildProcess) => stopProcess(child);

/**
 * The bench build started by scripts/stack, pinned to core 0 (wrk gets core 1); BENCH_PORT fixes
 * its port, BENCH_DATABASE_URL puts it on PostgreSQL.
 */
export async function startApp(env: Record<string, string | undefined>, opts: Omit<StartAppOptions, 'build' | 'env'> = {}): Promise<AppServer> {
  return startStackApp({
    build: 'bench',
    cpus: '0',
    host: '127.0.0.1',
    port: Number(process.env.BENCH_PORT) || undefined,
    databaseUrl: process.env.BENCH_DATABASE_URL,
    // BENCH_SERVER=next: the same build under plain `next start` instead of the app server.
    server: process.env.BENCH_SERVER === 'next' ? 'next' : 'app',
    logLevel: 'warn',
    ...opts,
    env,
  });
}

/**
 * fetch with one retry: after a long wrk run the server may have closed the idle keep-alive
 * socket undici pooled from the previous check ("other side closed").
 */
export async function fetchFresh(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}
