import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { stopProcess } from '../stack';

/**
 * HAProxy in front of the app instances: TLS terminated with the run's certificate,
 * `X-Forwarded-Proto: https` set (never passed through from the client), round robin over the
 * instances, each health-checked on `GET /health/ready`, failed connections and empty answers
 * retried on another instance (`retry-on conn-failure empty-response`, `option redispatch 1`).
 * Every response it forwards names the instance (`X-Served-By`); every request is logged to
 * stdout in one parseable line (path without the query string: page URLs carry JWTs).
 */

export const HAPROXY_BIN = process.env.SCALE_HAPROXY_BIN ?? '/usr/sbin/haproxy';

export interface HaproxyConfigInput {
  /** The TLS port clients use. */
  port: number;
  /** Leaf certificate + key (tls.ts). */
  pemPath: string;
  /** The instances: name (app1, …) and loopback port. */
  servers: { name: string; port: number }[];
  /** Admin socket, for server states. */
  statsSocket: string;
  /** Health check: path, interval and consecutive results to change state. */
  check: { path: string; interMs: number; fall: number; rise: number };
}

/** The request header carrying the client's request id, captured into the log. */
export const REQUEST_ID_HEADER = 'x-scale-request';
export const LOG_PREFIX = 'SCALE';

/** HAProxy 2.6 configuration for the run (pure: unit-tested). */
export function renderHaproxyConfig(c: HaproxyConfigInput): string {
  const { check } = c;
  return [
    'global',
    '  log stdout format raw local0 info',
    '  maxconn 2000',
    `  stats socket ${c.statsSocket} mode 600 level admin`,
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    // Longer than a client keeps an idle connection (undici: 4 s), so the client always closes first.
    '  timeout http-keep-alive 30s',
    '  timeout check 3s',
    '  retries 3',
    // A retry goes to another instance each time, not to the one that just failed.
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    '',
    'frontend lb',
    `  bind 127.0.0.1:${c.port} ssl crt ${c.pemPath}`,
    '  http-request set-header X-Forwarded-Proto https',
    `  http-request capture req.hdr(${REQUEST_ID_HEADER}) len 64`,
    `  log-format "${LOG_PREFIX} %Ts.%ms %[capture.req.hdr(0)] %s %ST %tsc %rc %Ta %HM %HPO"`,
    '  default_backend app',
    '',
    'backend app',
    '  balance roundrobin',
    `  option httpchk GET ${check.path}`,
    '  http-check expect status 200',
    '  http-response set-header X-Served-By %s',
    `  default-server check inter ${check.interMs} fastinter ${check.interMs} downinter ${check.interMs} fall ${check.fall} rise ${check.rise}`,
    ...c.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port}`),
    '',
  ].join('\n');
}

/** One request as HAProxy logged it. */
export interface LbLogEntry {
  /** Accept time, epoch ms. */
  at: number;
  /** The client's request id ('-' when the request had none, e.g. the emulator's). */
  id: string;
  /** The instance that answered last ('<NOSRV>' when none was reached). */
  server: string;
  status: number;
  /** HAProxy's termination state (`----` = normal). */
  termination: string;
  /** Retries HAProxy made (`+` prefix: redispatched). */
  retries: number;
  redispatched: boolean;
  totalMs: number;
  method: string;
  path: string;
}

/** Parses a line written with the log-format above; anything else is `undefined` (pure). */
export function parseLogLine(line: string): LbLogEntry | undefined {
  const m = new RegExp(`^${LOG_PREFIX} (\\d+)\\.(\\d{3}) (\\S+) (\\S+) (-?\\d+) (\\S+) (\\+?)(-?\\d+) (-?\\d+) (\\S+) (\\S+)$`).exec(line.trim());
  if (!m) return undefined;
  return {
    at: Number(m[1]) * 1000 + Number(m[2]),
    id: m[3]!,
    server: m[4]!,
    status: Number(m[5]),
    termination: m[6]!,
    redispatched: m[7] === '+',
    retries: Number(m[8]),
    totalMs: Number(m[9]),
    method: m[10]!,
    path: m[11]!,
  };
}

/** `show stat` CSV → state of each server of backend `app` (pure). */
export function parseServerStates(csv: string): Record<string, string> {
  const [head, ...rows] = csv.split('\n').filter(Boolean);
  const cols = (head ?? '').replace(/^# /, '').split(',');
  const [px, sv, st] = ['pxname', 'svname', 'status'].map((c) => cols.indexOf(c)) as [number, number, number];
  const states: Record<string, string> = {};
  for (const row of rows) {
    const f = row.split(',');
    if (f[px] === 'app' && f[sv] && f[sv] !== 'BACKEND') states[f[sv]] = f[st] ?? '';
  }
  return states;
}

export interface Haproxy {
  url: string;
  /** Every request logged so far. */
  entries(): LbLogEntry[];
  /** Server name → state (`UP`, `DOWN`, `UP 1/2`, `MAINT`, …) from the admin socket. */
  serverStates(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

function adminCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let out = '';
    s.setTimeout(5_000, () => s.destroy(new Error('haproxy admin socket timed out')));
    s.on('data', (d) => (out += d.toString()));
    s.on('error', reject);
    s.on('close', () => resolve(out));
    s.end(`${command}\n`);
  });
}

export async function startHaproxy(dir: string, config: HaproxyConfigInput): Promise<Haproxy> {
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, renderHaproxyConfig(config));
  const check = spawn(HAPROXY_BIN, ['-c', '-q', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let checkOut = '';
  check.stdout.on('data', (d: Buffer) => (checkOut += d.toString()));
  check.stderr.on('data', (d: Buffer) => (checkOut += d.toString()));
  const checked = await new Promise<number | null>((r) => check.once('exit', r));
  if (checked !== 0) throw new Error(`haproxy refused its configuration:\n${checkOut}`);

  // -db: foreground, no daemon; a child of this process, in its process group.
  const child: ChildProcess = spawn(HAPROXY_BIN, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(path.join(dir, 'haproxy.log'));
  const entries: LbLogEntry[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    log.write(d);
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const e = parseLogLine(line);
      if (e) entries.push(e);
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    log.write(d);
    stderr = (stderr + d.toString()).slice(-8_000);
  });
  void new Promise((r) => child.once('exit', r)).then(() => log.end());

  const url = `https://127.0.0.1:${config.port}`;
  const serverStates = async () => parseServerStates(await adminCommand(config.statsSocket, 'show stat'));
  // Listening once the admin socket answers (a hang guard, not a target).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${stderr}`);
    if (await serverStates().then(() => true, () => false)) break;
    if (Date.now() > deadline) {
      await stopProcess(child, 1_000);
      throw new Error(`haproxy did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    entries: () => entries,
    serverStates,
    stop: () => stopProcess(child, 5_000),
  };
}
