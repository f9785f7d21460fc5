import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startApp, type AppServer } from '../stack';

/**
 * The app instances behind the load balancer: the production build's app server, each on its own
 * loopback port with its own data dir, all on one PostgreSQL with one TENANT_SECRET_KEY and the
 * load balancer's https URL as APP_BASE_URL. An instance can be stopped (SIGTERM: it fails
 * readiness, keeps serving for SHUTDOWN_DELAY_MS, drains, exits 0), killed (SIGKILL) and started
 * again on the same port.
 */

export const READY_PATH = '/health/ready';

export interface InstanceConfig {
  name: string;
  port: number;
  /** The environment every instance shares (database, base URL, secrets, emulator settings). */
  env: Record<string, string>;
  databaseUrl: string;
  /** Where its data dir and log file go. */
  dir: string;
  /** How long a SIGTERM'd instance may take to exit before it is killed (a hang guard). */
  stopGraceMs: number;
}

export interface InstanceExit {
  how: 'SIGTERM' | 'SIGKILL';
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the process's end. */
  ms: number;
}

export class Instance {
  private server?: AppServer;
  readonly exits: InstanceExit[] = [];
  starts = 0;

  constructor(readonly config: InstanceConfig) {}

  get name(): string {
    return this.config.name;
  }

  get port(): number {
    return this.config.port;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Starts the instance and resolves once `GET /health/ready` answers 200. */
  async start(): Promise<void> {
    if (this.server) throw new Error(`${this.name} is already running`);
    const c = this.config;
    const dataDir = path.join(c.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    this.server = await startApp({
      port: c.port,
      host: '127.0.0.1',
      databaseUrl: c.databaseUrl,
      dataDir,
      keepData: true,
      logLevel: 'warn',
      logFile: path.join(c.dir, 'app.log'),
      env: c.env,
      ready: { path: READY_PATH },
      stopGraceMs: c.stopGraceMs,
      // A hang guard: three instances starting at once on a busy 2-core machine.
      readyTimeoutMs: 180_000,
    });
    this.starts++;
  }

  /** SIGTERM and wait for the exit (SIGKILL only past `stopGraceMs`). */
  async terminate(): Promise<InstanceExit> {
    return this.end('SIGTERM', (s) => s.stop());
  }

  /** SIGKILL: a crash, no shutdown of any kind. */
  async kill(): Promise<InstanceExit> {
    return this.end('SIGKILL', (s) => s.kill());
  }

  private async end(how: InstanceExit['how'], stop: (s: AppServer) => Promise<void>): Promise<InstanceExit> {
    const s = this.server;
    if (!s) throw new Error(`${this.name} is not running`);
    const t = Date.now();
    await stop(s);
    const { code, signal } = await s.exited;
    this.server = undefined;
    const exit = { how, code, signal, ms: Date.now() - t };
    this.exits.push(exit);
    return exit;
  }

  /** The last lines the instance printed (for a failure message). */
  tail(chars = 4_000): string {
    return this.server?.output().slice(-chars) ?? '';
  }
}
