import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppServer } from '../../scripts/stack';
import { dropDatabase, freshPostgresDatabase, testDatabaseKind } from '../support/database';

/**
 * Health, readiness, metrics and request ids on the built app server, over real HTTP: what a load
 * balancer, Atlassian's availability check and a Prometheus scraper see.
 */
const TOKEN = 'test-metrics-token-0123456789';
const QUIET = { PURGE_INTERVAL_MINUTES: '0', GDPR_REPORT_INTERVAL_HOURS: '0' };

interface Ready {
  status: string;
  checks: { database: string; migrations: string; shutdown: string };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { res, text: await res.text() };
}

/** Polls `probe` until it returns a value (no assumption about how fast the machine is). */
async function until<T>(probe: () => Promise<T | undefined>, what: string, deadlineMs = 60_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('operations endpoints', () => {
  let app: AppServer;
  beforeAll(async () => {
    app = await startApp({ env: { ...QUIET, METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => app?.stop());

  it('GET /health answers 200 with no auth, no redirect, no cache and no data', async () => {
    const { res, text } = await get(`${app.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(text)).toEqual({ status: 'ok' });
  });

  it('GET /health/ready is 200 on the migrated database', async () => {
    const { res, text } = await get(`${app.url}/health/ready`);
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', shutdown: 'no' } });
  });

  it('every answer carries a request id made here; a client cannot choose it', async () => {
    const a = (await get(`${app.url}/health`, { 'x-request-id': 'client-chosen' })).res.headers.get('x-request-id');
    const b = (await get(`${app.url}/favicon.ico`)).res.headers.get('x-request-id');
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it("names the request on every log line written while it is handled, the framework's included", async () => {
    // A panel load without a JWT: the framework logs nothing at info, the app server its access line.
    const { res } = await get(`${app.url}/panel/issue?issueId=1`);
    expect(res.status).toBe(401);
    const id = res.headers.get('x-request-id')!;
    const line = await until(async () => app.output().split('\n').find((l) => l.includes(id)), 'the access log line');
    expect(JSON.parse(line)).toMatchObject({ reqId: id, msg: 'request', method: 'GET', route: '/panel/issue', status: 401 });
    expect(line).not.toContain('issueId=1');
  });

  it('GET /metrics refuses a missing or wrong token, and serves Prometheus text to its bearer', async () => {
    expect((await get(`${app.url}/metrics`)).res.status).toBe(401);
    const wrong = await get(`${app.url}/metrics`, { authorization: 'Bearer not-the-metrics-token-000' });
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(wrong.text).not.toContain('app_http_requests_total');

    await get(`${app.url}/health/ready`);
    await get(`${app.url}/panel/issue`);
    const { res, text } = await get(`${app.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/app_http_requests_total\{route="\/health\/ready",method="GET",status="200"\} [1-9]/);
    expect(text).toMatch(/connect_page_loads_total\{module="panel",outcome="rejected"\} [1-9]/);
    expect(text).toMatch(/app_db_query_duration_seconds_count [1-9]/);
    expect(text).toContain('app_job_queue_jobs{status="pending"}');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).not.toContain(TOKEN);
  });
});

describe('the app server on SIGTERM, before it stops accepting', () => {
  it('fails readiness at once while it keeps serving, and closes each connection after its answer', async () => {
    // A long delay: the test needs no timing; a second signal ends the process.
    const app = await startApp({ env: { ...QUIET, SHUTDOWN_DELAY_MS: '60000' } });
    try {
      expect((await get(`${app.url}/health/ready`)).res.status).toBe(200);
      expect((await get(`${app.url}/metrics`)).res.status).toBe(404);
      process.kill(app.pid, 'SIGTERM');
      const ready = await until(async () => {
        const { res, text } = await get(`${app.url}/health/ready`);
        return res.status === 503 ? { res, body: JSON.parse(text) as Ready } : undefined;
      }, 'readiness to fail');
      expect(ready.body.checks).toEqual({ database: 'ok', migrations: 'ok', shutdown: 'in-progress' });
      expect(ready.res.headers.get('connection')).toBe('close');
      const live = await get(`${app.url}/health`);
      expect(live.res.status).toBe(200);
      expect((await get(`${app.url}/atlassian-connect.json`)).res.status).toBe(200);
      process.kill(app.pid, 'SIGTERM');
      expect((await app.exited).code).toBe(1);
    } finally {
      await app.stop();
    }
  });
});

/**
 * A TCP proxy in front of PostgreSQL that the test can cut (connections refused and reset) or
 * black-hole (connections accepted, nothing forwarded), to take the database away from a running
 * app and give it back.
 */
class DbProxy {
  mode: 'pass' | 'refuse' | 'blackhole' = 'pass';
  private readonly sockets = new Set<net.Socket>();
  private server?: net.Server;
  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      if (this.mode === 'refuse') return void client.destroy();
      if (this.mode === 'blackhole') return; // accepted, never answered
      const upstream = net.connect(this.target.port, this.target.host);
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('data', (d) => {
        if (this.mode === 'pass') upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (this.mode === 'pass') client.write(d);
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Every open connection is reset (a database restart). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

describe.runIf(testDatabaseKind === 'postgres')('readiness while PostgreSQL goes away and comes back', () => {
  let app: AppServer;
  let proxy: DbProxy;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await freshPostgresDatabase();
    const u = new URL(databaseUrl);
    proxy = new DbProxy({ host: u.hostname, port: Number(u.port || 5432) });
    u.port = String(await proxy.start());
    app = await startApp({ databaseUrl: u.toString(), env: { ...QUIET, HEALTH_TIMEOUT_MS: '1000', JOB_WORKER: 'false' } });
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.stop();
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  const ready = async () => {
    const { res, text } = await get(`${app.url}/health/ready`);
    return { status: res.status, body: JSON.parse(text) as Ready };
  };

  it('fails fast when the database refuses or hangs, and is ready again without a restart', async () => {
    expect(await ready()).toMatchObject({ status: 200 });

    proxy.mode = 'refuse';
    proxy.cut();
    const refused = await until(async () => {
      const r = await ready();
      return r.status === 503 ? r : undefined;
    }, 'readiness to fail on a refused database');
    expect(refused.body.checks.database).toBe('unreachable');
    expect((await get(`${app.url}/health`)).res.status).toBe(200);

    // Hung: connections accepted, never answered. The probe's own deadline answers 503.
    proxy.mode = 'blackhole';
    proxy.cut();
    const hung = await until(async () => {
      const r = await ready();
      return r.body.checks.database === 'timeout' ? r : undefined;
    }, 'readiness to report a hung database');
    expect(hung.status).toBe(503);

    proxy.mode = 'pass';
    proxy.cut();
    const back = await until(async () => {
      const r = await ready();
      return r.status === 200 ? r : undefined;
    }, 'readiness to recover');
    expect(back.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', shutdown: 'no' } });
    expect(app.output()).toContain('"msg":"not ready"');
  });
});
