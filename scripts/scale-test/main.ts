import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Emulator } from '../../emulator/lib/emulator';
import { createForgeExtension } from '../../emulator/forge/index';
import { emulatorEnv, ensureBuild, freePort, ROOT } from '../stack';
import { LoadClient } from './client';
import { runScenario, type ControllerResult } from './controller';
import { startHaproxy, type Haproxy } from './haproxy';
import { Instance, READY_PATH } from './instances';
import { Load } from './load';
import { startPostgres, type Postgres } from './postgres';
import { JiraSite } from './product';
import { buildReport, formatReport } from './report';
import { Timeline } from './timeline';
import { checkWrites } from './writes';

/**
 * `npm run scale:test` (started by cli.ts, which made the certificate and trusts it for this
 * process): PostgreSQL, three instances of the production build, HAProxy with TLS in front, the
 * product emulator as the Jira site; install through the load balancer, then a mixed load while
 * the secret rotates, every instance is restarted in turn and one is killed; then the report.
 * Exits 1 when a target is missed. Everything it starts is stopped in `finally`.
 */

export interface ScaleOptions {
  loadSeconds: number;
  concurrency: number;
  instances: number;
  tenantCacheTtlMs: number;
  /** Health checks: HAProxy marks an instance down after `fall` failed checks `interMs` apart. */
  check: { interMs: number; fall: number; rise: number };
  /** Above interMs × fall, so the load balancer stops sending before the instance stops listening. */
  shutdownDelayMs: number;
  reportFile: string;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ScaleOptions {
  const num = (name: string, dflt: number, min: number, max: number) => {
    const v = env[name] === undefined || env[name] === '' ? dflt : Number(env[name]);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in ${min}..${max}`);
    return v;
  };
  const check = { interMs: 1_000, fall: 2, rise: 2 };
  return {
    loadSeconds: num('SCALE_SECONDS', 40, 5, 600),
    concurrency: num('SCALE_CONCURRENCY', 12, 1, 64),
    instances: 3,
    tenantCacheTtlMs: 10_000,
    check,
    shutdownDelayMs: check.interMs * check.fall * 2 + 1_000,
    reportFile: path.join(ROOT, '.tmp/reports/scale.json'),
  };
}

const log = (line: string) => console.log(`[scale] ${line}`);

/** What was started, stopped in reverse order by `cleanUp()` (the run's end, or a signal). */
const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  return (cleaning ??= (async () => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  })());
}

export async function runScaleTest(o: ScaleOptions, work: string, certPem: string): Promise<boolean> {
  const instances: Instance[] = [];
  let load: Load | undefined;
  try {
    await ensureBuild({ kind: 'app', log });
    // Restarts mid-run start this build as it is: a source edited meanwhile must not rebuild it under the running instances.
    process.env.STACK_REBUILD = '0';
    const pg: Postgres = await startPostgres(path.join(work, 'pg'), { log });
    cleanups.push(() => pg.stop());

    const lbPort = await freePort();
    const lbUrl = `https://127.0.0.1:${lbPort}`;
    const emu = new Emulator({ quiet: true, appUrl: lbUrl, port: 0 });
    emu.extensions.push(createForgeExtension(emu));
    await emu.start();
    cleanups.push(() => emu.stop());

    const env: Record<string, string> = {
      ...emulatorEnv(emu),
      APP_ENV: 'production',
      // Required with FORGE_APP_ID in production; the emulator's Forge tokens are production ones.
      FORGE_ENVIRONMENT: 'production',
      APP_BASE_URL: lbUrl,
      TRUST_PROXY: '1',
      TENANT_SECRET_KEY: randomBytes(32).toString('base64'),
      TENANT_CACHE_TTL_MS: String(o.tenantCacheTtlMs),
      SHUTDOWN_DELAY_MS: String(o.shutdownDelayMs),
      // No schedules firing mid-run: this run is about requests.
      PURGE_INTERVAL_MINUTES: '0',
      GDPR_REPORT_INTERVAL_HOURS: '0',
    };
    const ports: number[] = [];
    for (let i = 0; i < o.instances; i++) ports.push(await freePort());
    for (const [i, port] of ports.entries()) {
      const dir = path.join(work, `app${i + 1}`);
      mkdirSync(dir, { recursive: true });
      instances.push(new Instance({ name: `app${i + 1}`, port, env, databaseUrl: pg.url, dir, stopGraceMs: o.shutdownDelayMs + 30_000 }));
    }
    const lb: Haproxy = await startHaproxy(work, {
      port: lbPort,
      pemPath: certPem,
      servers: instances.map((i) => ({ name: i.name, port: i.port })),
      statsSocket: path.join(work, 'haproxy.sock'),
      check: { path: READY_PATH, ...o.check },
    });
    cleanups.push(() => lb.stop());
    // Stopped before the load balancer, the emulator and the database (cleanups run in reverse).
    cleanups.push(() => Promise.all(instances.filter((i) => i.running).map((i) => i.terminate())));
    cleanups.push(async () => load?.stop());
    log(`haproxy on ${lbUrl}; starting ${instances.length} instances on ports ${ports.join(', ')}`);
    // The first instance applies the migrations; the others then start beside each other.
    await instances[0]!.start();
    await Promise.all(instances.slice(1).map((i) => i.start()));
    const deadline = Date.now() + 60_000;
    while (Object.values(await lb.serverStates()).filter((s) => s === 'UP').length < instances.length) {
      if (Date.now() > deadline) throw new Error(`haproxy did not see every instance up: ${JSON.stringify(await lb.serverStates())}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const installed = await emu.install('jira');
    if (!installed.every((r) => r.ok)) throw new Error(`the install through the load balancer failed: ${installed.map((r) => `${r.event} ${r.status}`).join(', ')}`);
    log(`installed through the load balancer; load: ${o.concurrency} in flight for at least ${o.loadSeconds} s`);

    const jira = new JiraSite(emu);
    const runId = `scale-${Date.now().toString(36)}`;
    const t0 = Date.now();
    const timeline = new Timeline(t0, log);
    const client = new LoadClient(timeline, () => jira.secret, o.tenantCacheTtlMs);
    load = new Load(
      { baseUrl: lbUrl, concurrency: o.concurrency, runId, mix: { panel: 0.4, webhook: 0.15 }, writesPerIssue: 150, lifecycleEveryMs: 3_000, rotationGraceMs: o.tenantCacheTtlMs },
      jira,
      client,
      timeline,
    );
    load.start();
    const killIndex = 1;
    let scenario: ControllerResult | undefined;
    let scenarioError: string | undefined;
    await Promise.all([
      runScenario({ settleMs: 2_000, rotationDeadlineMs: o.tenantCacheTtlMs * 3, killIndex }, { lb, instances, jira, load, timeline }).then(
        (r) => (scenario = r),
        (err: unknown) => (scenarioError = (err as Error).message),
      ),
      new Promise((r) => setTimeout(r, o.loadSeconds * 1_000)),
    ]);
    await load.stop();
    const loadSeconds = (Date.now() - t0) / 1000;
    timeline.end();
    timeline.note('load stopped');
    // HAProxy logs a request when it ends: give the last lines a moment to arrive.
    await new Promise((r) => setTimeout(r, 500));

    const lbLog = lb.entries().filter((e) => e.at >= t0);
    const writes = await checkWrites(pg, runId, load.writes, lbLog);
    const report = buildReport({
      settings: { startedAt: new Date(t0).toISOString(), instances: o.instances, concurrency: o.concurrency, loadSecondsMin: o.loadSeconds, tenantCacheTtlMs: o.tenantCacheTtlMs, shutdownDelayMs: o.shutdownDelayMs, healthCheck: { path: READY_PATH, ...o.check } },
      startedAt: t0,
      loadSeconds: Math.round(loadSeconds * 10) / 10,
      samples: client.samples,
      seen: client.seen,
      unexpected: client.unexpected,
      lbLog,
      missingRequestId: client.missingRequestId,
      writes,
      scenario,
      scenarioError,
      killed: instances[killIndex]!.name,
      ttlMs: o.tenantCacheTtlMs,
      timeline: timeline.notes(),
      instanceNames: instances.map((i) => i.name),
    });
    mkdirSync(path.dirname(o.reportFile), { recursive: true });
    writeFileSync(o.reportFile, JSON.stringify(report, null, 2));
    console.log(`\n${formatReport(report)}\nreport: ${path.relative(ROOT, o.reportFile)}`);
    if (!report.ok) {
      for (const i of instances) if (i.running) log(`${i.name} log tail:\n${i.tail(2_000)}`);
    }
    return report.ok;
  } finally {
    await cleanUp();
    keepLogs(work, instances);
  }
}

/** HAProxy's and the instances' logs, kept in .tmp/scale/ after the temp dir goes (paths only: no query strings, no tokens). */
function keepLogs(work: string, instances: Instance[]): void {
  const dest = path.join(ROOT, '.tmp/scale');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const files = [['haproxy.log', 'haproxy.log'], ...instances.map((i) => [path.join(i.name, 'app.log'), `${i.name}.log`])];
  for (const [from, to] of files) if (existsSync(path.join(work, from!))) cpSync(path.join(work, from!), path.join(dest, to!));
}

if (require.main === module) {
  const work = process.env.SCALE_WORK_DIR;
  const pem = process.env.SCALE_CERT_PEM;
  if (!work || !pem) {
    console.error('start the scale test with `npm run scale:test` (scripts/scale-test/cli.ts)');
    process.exit(2);
  }
  // Stopped (cli.ts forwards Ctrl-C and SIGTERM): stop what was started, then end.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything this run started`);
      void cleanUp().finally(() => process.exit(1));
    });
  }
  // Orphaned (cli.ts was killed outright): nobody will clean up after this process group, so it does.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void cleanUp().finally(() => process.kill(-process.pid, 'SIGKILL'));
  }, 1_000).unref();
  const o = optionsFromEnv();
  // Never the last run's numbers: a run that crashes leaves a report saying so.
  rmSync(o.reportFile, { force: true });
  runScaleTest(o, work, pem).then(
    (ok) => process.exit(ok ? 0 : 1),
    (err: unknown) => {
      const message = (err as Error).stack ?? String(err);
      console.error(`scale test failed to run: ${message}`);
      mkdirSync(path.dirname(o.reportFile), { recursive: true });
      writeFileSync(o.reportFile, JSON.stringify({ ok: false, error: (err as Error).message }, null, 2));
      process.exit(1);
    },
  );
}
