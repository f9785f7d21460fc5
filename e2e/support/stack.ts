import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Emulator } from '../../emulator/lib/emulator';

/**
 * One app + emulator pair for a Playwright worker: the built app (`next start`) on fresh
 * embedded data, configured against an in-process product emulator, with the app installed.
 * Ports come from this task's ranges: emulator 4120–4199 (keys on +1), app 4220–4299.
 */

export const ROOT = path.resolve(__dirname, '..', '..');
/** Where the app's source and build live (a clean export of HEAD can be used while others edit the tree). */
export const APP_DIR = path.resolve(ROOT, process.env.E2E_APP_DIR ?? '.');
export const DIST_DIR = process.env.TEST_DIST_DIR ?? '.next-emu';

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first free port (and, with `pair`, port + 1) from `start`, stepping by `step`, below `end`. */
export async function pickPort(start: number, end: number, step: number, pair = false): Promise<number> {
  for (let p = start; p + (pair ? 1 : 0) < end; p += step) {
    if ((await portFree(p)) && (!pair || (await portFree(p + 1)))) return p;
  }
  throw new Error(`no free port in ${start}-${end}`);
}

export interface Stack {
  emu: Emulator;
  appUrl: string;
  dataDir: string;
  appOutput: () => string;
  stop: () => Promise<void>;
}

async function startAppProcess(port: number, dataDir: string, emu: Emulator): Promise<{ child: ChildProcess; output: () => string }> {
  const url = `http://localhost:${port}`;
  const emuPort = new URL(emu.url).port;
  let out = '';
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: APP_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_DIST_DIR: DIST_DIR,
      NEXT_TELEMETRY_DISABLED: '1',
      APP_ENV: 'development',
      APP_BASE_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      CONNECT_KEYS_CDN_URL: emu.keysUrl,
      ALLOWED_PRODUCT_HOSTS: `localhost:${emuPort},127.0.0.1:${emuPort}`,
      AP_JS_URL: `${emu.url}/atlassian-connect/all.js`,
      OAUTH_AUTH_SERVER_URL: emu.url,
      LOG_LEVEL: process.env.E2E_APP_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited (${child.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}/atlassian-connect.json`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`app did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { child, output: () => out };
}

export async function startStack(index: number): Promise<Stack> {
  const emuPort = await pickPort(4120 + index * 4, 4200, 8, true);
  const appPort = await pickPort(4220 + index, 4300, 8);
  const dataDir = path.join(ROOT, '.tmp', `emu-e2e-${process.pid}-${index}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const emu = await new Emulator({ appUrl: `http://localhost:${appPort}`, port: emuPort, quiet: true }).start().catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  let app: Awaited<ReturnType<typeof startAppProcess>> | undefined;
  try {
    app = await startAppProcess(appPort, dataDir, emu);
    const results = await emu.install();
    if (!results.every((r) => r.ok)) throw new Error(`install failed: ${JSON.stringify(results)}\n${app.output()}`);
  } catch (err) {
    app?.child.kill('SIGKILL');
    await emu.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const started = app;
  return {
    emu,
    appUrl: emu.appUrl,
    dataDir,
    appOutput: started.output,
    stop: async () => {
      const child = started.child;
      const exited = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      await emu.stop();
      if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
