import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, root, startPinned, stopChild, type Server } from '../lib/harness';
import { aceAppDir, ensureAce } from './ace-install';

/**
 * The servers of `npm run bench:peer` beside the app (which scripts/stack starts): the ACE peer
 * and the bare node:http verifier, both pinned to core 0 like the app, and one cleanup list that
 * stops every process and removes every scratch folder, also on failure or Ctrl-C.
 */

export class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  private running?: Promise<void>;

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every step once, newest first; a failing step does not skip the others. */
  run(): Promise<void> {
    return (this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch (err) {
          console.error('cleanup:', err instanceof Error ? err.message : err);
        }
      }
    })());
  }

  /** Ctrl-C or SIGTERM: clean up, then exit. Returns a function that removes the handlers. */
  onSignals(): () => void {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const handler = (signal: NodeJS.Signals) => {
      console.error(`\n${signal}: stopping the servers…`);
      void this.run().finally(() => process.exit(130));
    };
    for (const signal of signals) process.once(signal, handler);
    return () => {
      for (const signal of signals) process.off(signal, handler);
    };
  }
}

/** A scratch folder under .tmp/bench-peer, removed at cleanup. */
export function scratchDir(cleanup: Cleanup, prefix: string): string {
  const parent = path.join(root, '.tmp/bench-peer');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `${prefix}-`));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface PeerServer extends Server {
  pid: number;
}

/** A record ACE's store holds for a tenant (`addon.settings.set(key, value, clientKey)`). */
export interface AceRecord {
  clientKey: string;
  key: string;
  value: unknown;
}

/**
 * Installs ACE (scratch folder, pinned versions) and starts the peer app in production mode
 * (NODE_ENV=production: Express's view cache on, no descriptor watch) with `tenants` (the
 * clientInfo ACE saves on `installed`) and `records` in its store.
 */
export async function startAce(cleanup: Cleanup, tenants: Record<string, unknown>[], records: AceRecord[]): Promise<PeerServer> {
  const aceDir = ensureAce();
  const seed = path.join(scratchDir(cleanup, 'seed'), 'seed.json');
  writeFileSync(seed, JSON.stringify({ tenants, records }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', ACE_DIR: aceDir, PORT: String(port), AC_LOCAL_BASE_URL: url, PEER_SEED: seed };
  delete env.NODE_OPTIONS; // the peer runs on plain node, without this process's loaders
  const child = await startPinned('node', [path.join(aceAppDir, 'server.mjs')], env, `${url}/health`);
  const stop = () => stopChild(child);
  cleanup.add(stop);
  return { url, pid: child.pid!, stop };
}

/** The bare node:http verifier (bench/bare-server.ts) with one tenant. */
export async function startBare(cleanup: Cleanup, tenant: { clientKey: string; sharedSecret: string }): Promise<PeerServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startPinned(
    'node',
    ['--import', 'tsx', path.join(root, 'bench/bare-server.ts')],
    { ...process.env, PORT: String(port), BASE_URL: url, CLIENT_KEY: tenant.clientKey, SHARED_SECRET: tenant.sharedSecret },
    `${url}/health`,
  );
  const stop = () => stopChild(child);
  cleanup.add(stop);
  return { url, pid: child.pid!, stop };
}

/** Resident memory (VmRSS) of a process and its descendants, in bytes, from /proc. */
export function treeRss(pid: number): { bytes: number; processes: number } {
  let bytes = 0;
  let processes = 0;
  const visit = (p: number) => {
    let status: string;
    try {
      status = readFileSync(`/proc/${p}/status`, 'utf8');
    } catch {
      return; // gone
    }
    processes++;
    bytes += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    for (const task of safeList(`/proc/${p}/task`)) {
      for (const child of safeRead(`/proc/${p}/task/${task}/children`).split(/\s+/).filter(Boolean)) visit(Number(child));
    }
  };
  visit(pid);
  return { bytes, processes };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
