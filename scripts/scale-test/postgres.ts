import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, stopProcess } from '../stack';

/**
 * A throwaway PostgreSQL 15 for one run: `initdb` into a fresh directory and `postgres` in the
 * foreground as a child of this process (so it belongs to the run's process group), both as the
 * `postgres` OS user (PostgreSQL refuses to run as root), on a free loopback port with its socket
 * in the same directory. Never touches the machine's own cluster.
 */

export const PG_BIN = process.env.SCALE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Postgres {
  /** `postgres://…/scale`: the database the app instances share. */
  url: string;
  port: number;
  /** Runs one query on a short-lived connection. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Fast shutdown (SIGINT), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

function osUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error(`no OS user "${name}" to run PostgreSQL as`);
  return { uid, gid };
}

/** Starts PostgreSQL with its data under `dir` (created here, owned by the postgres user). */
export async function startPostgres(dir: string, opts: { log?: (line: string) => void } = {}): Promise<Postgres> {
  const runAs = process.getuid?.() === 0 ? osUser('postgres') : undefined;
  const dataDir = path.join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const asPg = { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8' } };
  const init = spawnSync(path.join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...asPg, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);

  const port = await freePort();
  const args = ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'];
  const child: ChildProcess = spawn(path.join(PG_BIN, 'postgres'), args, { ...asPg, stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  });
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // A hang guard, not a target: a loaded machine may take a while to start a cluster.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}) at start:\n${out}`);
    const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('CREATE DATABASE scale');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stopProcess(child, 1_000);
        throw new Error(`postgres did not accept connections on port ${port}:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  opts.log?.(`postgres ${port} ready (data in ${dataDir})`);
  const url = `postgres://postgres@127.0.0.1:${port}/scale`;
  return {
    url,
    port,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
