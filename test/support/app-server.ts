import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureBuilt, TEST_DIST_DIR } from './global-setup';

/** Helpers to run the built app over real HTTP in integration tests. */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Which database the integration suites run on: TEST_DATABASE_URL → PostgreSQL, else PGlite. */
export const testDatabaseKind = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** A new, empty database on the TEST_DATABASE_URL server (one per test file). */
export async function freshPostgresDatabase(): Promise<string> {
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface AppServer {
  url: string;
  port: number;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
  /** Kills the process at once (SIGKILL: no shutdown of any kind), keeping its data dir. */
  kill: () => Promise<void>;
}

export interface StartAppOptions {
  env?: Record<string, string | undefined>;
  /** Share a database between instances: pass the same URL (PostgreSQL) to each. */
  databaseUrl?: string;
  dataDir?: string;
  port?: number;
}

export async function startApp(opts: StartAppOptions = {}): Promise<AppServer> {
  ensureBuilt();
  const port = opts.port ?? (await freePort());
  const url = `http://localhost:${port}`;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'connect-app-'));
  let out = '';
  const child: ChildProcess = spawn('node', ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_DIST_DIR: TEST_DIST_DIR,
      NEXT_TELEMETRY_DISABLED: '1',
      APP_ENV: 'development',
      APP_BASE_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: opts.databaseUrl,
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/atlassian-connect.json`);
      if (res.ok && out.includes('app ready')) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`app did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    dataDir,
    output: () => out,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Options for an app whose database follows the suite's kind (fresh DB per call on Postgres). */
export async function databaseOptions(): Promise<Pick<StartAppOptions, 'databaseUrl'>> {
  return testDatabaseKind === 'postgres' ? { databaseUrl: await freshPostgresDatabase() } : {};
}
