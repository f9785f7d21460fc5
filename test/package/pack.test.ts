import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeSymmetric, fromMethodAndUrl, createQueryStringHash, SymmetricAlgorithm } from 'atlassian-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack';

/**
 * `npm pack` of lib/connect is a package another Next app can install: the tarball goes into a
 * scratch Next app (its own folder, its own node_modules), which builds and serves a descriptor
 * and a page behind withPageAuth. The page JWT is signed the way the product signs it
 * (atlassian-jwt computes the qsh), so nothing of the repository's own code signs or checks it.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const versions = (name: string) => (JSON.parse(execFileSync('node', ['-p', `JSON.stringify(require('${name}/package.json').version)`], { cwd: ROOT, encoding: 'utf8' })) as string);

const CLIENT_KEY = 'pack-test-site';
const SECRET = 'a-shared-secret-of-the-pack-test-0123456789';
const APP_KEY = 'com.example.packed';

const files: Record<string, string> = {
  'next.config.js': `module.exports = { poweredByHeader: false };\n`,
  'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['dom', 'esnext'], strict: true, module: 'esnext', moduleResolution: 'bundler', jsx: 'react-jsx', noEmit: true, isolatedModules: true, skipLibCheck: true, esModuleInterop: true, resolveJsonModule: true, allowJs: false, incremental: false, plugins: [{ name: 'next' }] }, include: ['**/*.ts', '**/*.tsx'], exclude: ['node_modules'] }),
  'app/layout.tsx': `export default function L({ children }: { children: React.ReactNode }) { return <html><body>{children}</body></html>; }\n`,
  'lib/connect.ts': `import { createConnect } from 'atlassian-connect-next';
import { devSingleton } from 'atlassian-connect-next/next';
import { MemoryTenantStore } from 'atlassian-connect-next/testing';

// A scratch app: tenants in memory, one seeded from the environment.
export const connect = devSingleton('__packed', () => {
  const c = createConnect({
    app: { key: '${APP_KEY}', name: 'Packed', description: 'installed from the tarball', vendor: { name: 'Example', url: 'https://example.com' }, scopes: ['READ'],
      modules: { generalPages: [{ key: 'hello', name: { value: 'Hello' }, url: '/hello' }] } },
    baseUrl: process.env.APP_BASE_URL!,
    secretKey: new Uint8Array(32).fill(7),
    store: new MemoryTenantStore(),
  });
  void c.runtime.store.upsertInstall({ clientKey: '${CLIENT_KEY}', appKey: '${APP_KEY}', sharedSecret: '${SECRET}', baseUrl: 'https://packed.atlassian.net', productType: 'jira' }, new Date());
  return c;
});
`,
  'app/atlassian-connect.json/route.ts': `import { descriptorRoute } from 'atlassian-connect-next/next';\nimport { connect } from '../../lib/connect';\nexport const dynamic = 'force-dynamic';\nexport const GET = descriptorRoute(connect);\n`,
  // A string answer (jsonResponse): Next, which takes only real Responses, gets one from the wrapper.
  'app/hello/route.ts': `import { jsonResponse } from 'atlassian-connect-next';\nimport { lazy } from 'atlassian-connect-next/next';\nimport { connect } from '../../lib/connect';\nexport const dynamic = 'force-dynamic';\nexport const GET = lazy(() => connect().withPageAuth((_req, ctx) => jsonResponse({ hello: ctx.accountId, site: ctx.clientKey, session: Boolean(ctx.sessionToken) }), { module: 'hello' }));\n`,
};

describe.skipIf(process.env.TEST_DATABASE_URL)('the packed framework in a scratch Next app', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let url = '';
  let out = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pack-app-'));
    const packs = path.join(dir, 'packs');
    mkdirSync(packs);
    execFileSync('npm', ['pack', '--silent', '-w', 'lib/connect', '--pack-destination', packs], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = path.join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz'))!);
    const app = path.join(dir, 'app');
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, dependencies: { 'atlassian-connect-next': `file:${tarball}`, next: versions('next'), react: versions('react'), 'react-dom': versions('react-dom') }, devDependencies: { 'atlassian-jwt': versions('atlassian-jwt'), typescript: versions('typescript'), '@types/react': versions('@types/react'), '@types/node': versions('@types/node') } }),
    );
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(app, f)), { recursive: true });
      writeFileSync(path.join(app, f), text);
    }
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--legacy-peer-deps'], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' } });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env: { ...process.env, APP_BASE_URL: url, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; ; i++) {
      if (await fetch(`${url}/atlassian-connect.json`).then((r) => r.ok, () => false)) break;
      if (server.exitCode !== null || i > 600) throw new Error(`scratch app did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 600_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const signedUrl = (path: string, secret = SECRET) => {
    const u = `${url}${path}`;
    const now = Math.floor(Date.now() / 1000);
    const qsh = createQueryStringHash(fromMethodAndUrl('GET', u), false, url);
    const jwt = encodeSymmetric({ iss: CLIENT_KEY, sub: 'acc-1', iat: now, exp: now + 120, qsh }, secret, SymmetricAlgorithm.HS256);
    return `${u}${u.includes('?') ? '&' : '?'}jwt=${jwt}`;
  };

  it('serves the descriptor built from the AppDefinition', async () => {
    const d = (await (await fetch(`${url}/atlassian-connect.json`)).json()) as { key: string; baseUrl: string; modules: { generalPages: { url: string }[] } };
    expect(d).toMatchObject({ key: APP_KEY, baseUrl: url, modules: { generalPages: [{ url: '/hello' }] } });
  });

  it('serves a page signed as the product signs it, and refuses a forged one', async () => {
    const ok = await fetch(signedUrl('/hello?lic=active&loc=en'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ hello: 'acc-1', site: CLIENT_KEY, session: true });
    expect(ok.headers.get('content-security-policy')).toContain('frame-ancestors https://packed.atlassian.net');
    const forged = await fetch(signedUrl('/hello?lic=active', 'not-the-secret'));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'JWT_SIGNATURE' } });
  });
});
