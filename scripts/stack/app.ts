import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSpec, ensureBuild, ROOT, type BuildKind } from './build';
import { freePort } from './ports';

/**
 * Starts the built app (`next start`) as the README's production-like development setup runs
 * it: production build, APP_ENV=development, plain http on loopback, its own data dir.
 */

export interface StartAppOptions {
  /** Which build to run (built first if its sources changed). Default 'app'. */
  build?: BuildKind;
  /** Added to (or overriding) the app's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** PostgreSQL URL; default none (the embedded database in `dataDir`), whatever the parent has. */
  databaseUrl?: string;
  /** Default: a fresh temp dir. */
  dataDir?: string;
  /** Keep the data dir after stop. Default: kept when `dataDir` is given, a temp dir is removed. */
  keepData?: boolean;
  /** Default: a free port. */
  port?: number;
  /** Host name in APP_BASE_URL (the app listens on 127.0.0.1 either way). Default localhost. */
  host?: 'localhost' | '127.0.0.1';
  /** Pin the server to these CPUs with taskset (benchmarks), when taskset exists. */
  cpus?: string;
  logLevel?: string;
  /** Also append the app's output to this file. */
  logFile?: string;
  readyTimeoutMs?: number;
  /**
   * What "ready" means: a 2xx from this path (default `/atlassian-connect.json`), sent with these
   * headers (e.g. `X-Forwarded-Proto: https` for an APP_ENV=production app behind a proxy).
   */
  ready?: { path: string; headers?: Record<string, string> };
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5 s. */
  stopGraceMs?: number;
  /** `app`: the app server (`npm start`); `next`: plain `next start` (the same routes, through Next). */
  server?: 'app' | 'next';
  /** Flags for node itself, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export interface AppServer {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  /** Everything the app printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `stopGraceMs` (5 s); removes a temp data dir. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL at once (a crash: no shutdown of any kind); keeps the data dir. */
  kill(): Promise<void>;
}

export const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** Children still running when this process exits are killed rather than left behind. */
const running = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startApp(opts: StartAppOptions = {}): Promise<AppServer> {
  const { spec } = await ensureBuild({ kind: opts.build ?? 'app' });
  const port = opts.port ?? (await freePort());
  const url = `http://${opts.host ?? 'localhost'}:${port}`;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'connect-app-'));
  mkdirSync(dataDir, { recursive: true });
  // The app server (server/main.ts) by default, as `npm start` runs it; `next start` on request.
  // Either keeps idle connections longer than a client's fetch (undici closes its own after 4 s):
  // with Node's default 5 s, a client starved of CPU for a second reuses a socket the server has
  // just closed (ECONNRESET). The app server sets 65 s itself.
  const argv = [
    ...(opts.nodeArgs ?? []),
    ...((opts.server ?? 'app') === 'app'
      ? [path.join(ROOT, spec.distDir, 'app-server.mjs')]
      : [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1', '--keepAliveTimeout', '65000']),
  ];
  const [cmd, args] = opts.cpus && hasTaskset ? ['taskset', ['-c', opts.cpus, process.execPath, ...argv]] : [process.execPath, argv];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...buildSpec(spec.kind).env,
    NODE_ENV: 'production',
    NEXT_DIST_DIR: spec.distDir,
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    NEXT_TELEMETRY_DISABLED: '1',
    APP_ENV: 'development',
    APP_BASE_URL: url,
    DATA_DIR: dataDir,
    DATABASE_URL: opts.databaseUrl ?? '',
    LOG_LEVEL: opts.logLevel ?? 'info',
  };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const file = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  let out = '';
  const collect = (d: Buffer) => {
    out += d.toString();
    file?.write(d);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => file?.end());

  const removeDataDir = () => {
    if (!(opts.keepData ?? !!opts.dataDir)) rmSync(dataDir, { recursive: true, force: true });
  };
  // A hang guard, not a target: at load 25 on two cores the embedded database took 210 s to open.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 540_000);
  const ready = opts.ready ?? { path: '/atlassian-connect.json' };
  for (;;) {
    if (child.exitCode !== null) {
      removeDataDir();
      throw new Error(`the app exited (${child.exitCode}) before it was ready:\n${out.slice(-8000)}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}${ready.path}`, { headers: ready.headers, signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stopProcess(child, 1_000);
      removeDataDir();
      throw new Error(`the app did not answer on ${url} within ${(opts.readyTimeoutMs ?? 540_000) / 1000} s:\n${out.slice(-8000)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    dataDir,
    pid: child.pid!,
    output: () => out,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: () =>
      (stopping ??= (async () => {
        await stopProcess(child, opts.stopGraceMs);
        removeDataDir();
      })()),
  };
}
