import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild, freePort, ROOT } from '../../scripts/stack';

/**
 * The deployable artifact (`<distDir>/standalone`, scripts/build-standalone.ts; what the
 * Dockerfile's runtime stage holds) runs on its own: copied out of the repository, where none of
 * the repository's node_modules can be resolved, it starts as the container starts it
 * (`node app-server.mjs`, production settings behind a TLS-terminating proxy) and serves the app
 * over real HTTP, then stops cleanly on SIGTERM.
 */

const BASE_URL = 'https://checklists.example.test';
/** What the load balancer adds (deploy/haproxy.cfg): the app trusts it with TRUST_PROXY=1. */
const viaProxy = { 'x-forwarded-proto': 'https' };

/** The packages the bundle imports, statically or with import(): what the trace had to bring. */
function bareImports(bundle: string): string[] {
  const specs = new Set<string>();
  for (const m of bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"'./][^"']*)["']/g)) {
    if (!m[1]!.startsWith('node:')) specs.add(m[1]!);
  }
  return [...specs].sort();
}

describe.skipIf(process.env.TEST_DATABASE_URL)('the standalone artifact, outside the repository', () => {
  let dir: string;
  let app: string;
  let server: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let url = '';
  let out = '';

  beforeAll(async () => {
    const { spec } = await ensureBuild();
    const standalone = path.join(ROOT, spec.distDir, 'standalone');
    if (!existsSync(path.join(standalone, 'app-server.mjs'))) {
      throw new Error(`${standalone} has no app-server.mjs: rebuild with npm run build:stack -- --force`);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'standalone-'));
    // The test means nothing if a node_modules above the copy could serve a missing package.
    for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
      if (existsSync(path.join(path.dirname(d), 'node_modules'))) throw new Error(`${path.dirname(d)}/node_modules would be resolved from ${dir}`);
    }
    app = path.join(dir, 'app');
    cpSync(standalone, app, { recursive: true, verbatimSymlinks: true });
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Only what a container would have: no variable of this test process leaks in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      APP_BASE_URL: BASE_URL,
      TRUST_PROXY: '1',
      TENANT_SECRET_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: dataDir,
      NEXT_TELEMETRY_DISABLED: '1',
    };
    const child = spawn(process.execPath, ['app-server.mjs'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // A hang guard sized for a loaded machine (the embedded database alone can take minutes to open).
    const deadline = Date.now() + 540_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the artifact exited (${server.exitCode}) before it answered:\n${out.slice(-8000)}`);
      const up = await fetch(`${url}/atlassian-connect.json`, { headers: viaProxy, signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
      if (up) break;
      if (Date.now() > deadline) throw new Error(`the artifact did not answer on ${url}:\n${out.slice(-8000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 600_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds every package the app server imports, each loadable from the copy alone', () => {
    const specs = bareImports(readFileSync(path.join(app, 'app-server.mjs'), 'utf8'));
    // The PostgreSQL driver and its adapter are imported only when DATABASE_URL is set: loading them
    // here proves they are in the artifact although this run uses the embedded database.
    expect(specs).toEqual(expect.arrayContaining(['next', 'pg', '@prisma/adapter-pg', '@electric-sql/pglite', 'pino']));
    const script = `for (const s of ${JSON.stringify(specs)}) await import(s);`;
    expect(() => execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: { PATH: process.env.PATH, NODE_ENV: 'production' }, stdio: 'pipe' })).not.toThrow();
  });

  it('serves the descriptor with the configured base URL', async () => {
    const res = await fetch(`${url}/atlassian-connect.json`, { headers: viaProxy });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ key: 'com.example.connect-checklists', baseUrl: BASE_URL });
  });

  it('serves a page rendered by Next and the static assets it references', async () => {
    const page = await fetch(`${url}/privacy`, { headers: viaProxy });
    expect(page.status).toBe(200);
    const assets = [...(await page.text()).matchAll(/\/_next\/static\/[^"'\s]+\.(?:js|css)/g)].map((m) => m[0]);
    expect(assets.length).toBeGreaterThan(0);
    const asset = await fetch(`${url}${assets[0]}`, { headers: viaProxy });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript|css/);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('refuses the issue panel without a page JWT with a 401, not a 500', async () => {
    const res = await fetch(`${url}/panel/issue?issueId=10001`, { headers: viaProxy });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'JWT_MISSING' } });
  });

  it('exits 0 on SIGTERM', async () => {
    server!.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(out).toContain('app server stopping');
  });
});
