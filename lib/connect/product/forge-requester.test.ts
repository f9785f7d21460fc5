import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProductApiError } from './errors';
import { forgeCredentials, ForgeTokenError, type ForgeCredentialsInput } from './forge-auth';
import { MemoryRateLimitState } from './rate-limits';
import { ProductClient, type ProductClientOptions } from './client';
import type { Tenant } from '../tenants/types';

/**
 * The Forge requester over real HTTP against a scripted API gateway: the invocation's bearer
 * tokens go to its API base URL through the same pipeline as Connect calls.
 */

interface Seen {
  path: string;
  authorization: string | undefined;
}
type Script = (req: Seen) => { status: number; headers?: Record<string, string>; body?: unknown };

let server: Server;
let gateway: string;
let seen: Seen[];
let script: Script;
let t: number;
const cloudId = randomUUID();
const clientKey = 'ck-forge';

beforeEach(async () => {
  seen = [];
  t = Date.UTC(2026, 11, 3, 12);
  script = () => ({ status: 200, body: { ok: true } });
  server = createServer((req, res) => {
    const s = { path: req.url ?? '', authorization: req.headers.authorization };
    seen.push(s);
    const out = script(s);
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
    res.end(JSON.stringify(out.body ?? { path: s.path }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((r) => server.close(() => r())));

const tenant = (): Tenant =>
  ({ clientKey, baseUrl: gateway, productType: 'jira', sharedSecret: 's'.repeat(32), uninstalledAt: null }) as unknown as Tenant;

interface Logged {
  level: string;
  obj: object;
  msg?: string;
}
function client(opts: Partial<ProductClientOptions> = {}, logs: Logged[] = []): ProductClient {
  return new ProductClient({
    appKey: 'app',
    resolveTenant: async (ck) => (ck === clientKey ? tenant() : null),
    authServerUrl: 'https://auth.invalid',
    timeoutMs: 5_000,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, jitter: [1, 1] },
    breaker: { failureThreshold: 3, halfOpenAfterMs: 60_000 },
    minAttemptMs: 1,
    isAllowedBaseUrl: (u) => new URL(u).host === new URL(gateway).host,
    rateLimits: new MemoryRateLimitState(),
    now: () => t,
    log: {
      info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
      debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
    },
    ...opts,
  });
}

/** A Forge-style token: a JWT whose `exp` is its end of life (the gateway does not verify it here). */
const token = (sub: string, expSeconds: number) =>
  new SignJWT({ kind: sub }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(Math.floor(t / 1000) + expSeconds).sign(new TextEncoder().encode(randomUUID()));

async function creds(over: Partial<ForgeCredentialsInput> = {}) {
  return forgeCredentials({
    apiBaseUrl: `${gateway}/ex/jira/${cloudId}`,
    product: 'jira',
    systemToken: await token('system', 300),
    userToken: await token('user', 300),
    accountId: 'acc-1',
    ...over,
  });
}

describe('Forge requester', () => {
  it('sends the system token as app and the user token as user, to the invocation API base URL', async () => {
    const c = await creds();
    const forge = client().forge(clientKey, c);
    await forge.asApp().get('/rest/api/3/myself', { query: { expand: 'groups' } });
    await forge.asUser().post('/rest/api/3/issue/ABC-1/comment', { body: 'x' });
    expect(seen.map((s) => s.path)).toEqual([`/ex/jira/${cloudId}/rest/api/3/myself?expand=groups`, `/ex/jira/${cloudId}/rest/api/3/issue/ABC-1/comment`]);
    expect(seen[0]!.authorization).toBe(`Bearer ${c.bearer('system', t)}`);
    expect(seen[1]!.authorization).toBe(`Bearer ${c.bearer('user', t)}`);
  });

  it('puts Confluence paths under /wiki of the gateway URL, and siteRoot calls without it', async () => {
    const c = await creds({ apiBaseUrl: `${gateway}/ex/confluence/${cloudId}`, product: 'confluence' });
    const forge = client().forge(clientKey, c);
    await forge.asApp().get('/rest/api/user/current');
    await forge.asApp().request('/rest/api/3/x', { siteRoot: true });
    expect(seen.map((s) => s.path)).toEqual([`/ex/confluence/${cloudId}/wiki/rest/api/user/current`, `/ex/confluence/${cloudId}/rest/api/3/x`]);
  });

  it('"as user" without a user token is a typed error and nothing is sent (never a call as the app)', async () => {
    const forge = client().forge(clientKey, await creds({ userToken: null, accountId: undefined }));
    const err = await forge.asUser().get('/rest/api/3/myself').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgeTokenError);
    expect(err).toBeInstanceOf(ProductApiError);
    expect(err).toMatchObject({ kind: 'auth', token: 'user', problem: 'missing', clientKey });
    expect(seen).toEqual([]);
  });

  it('an expired token is refused before sending; a token expiring during retries ends them', async () => {
    const c = await creds({ systemToken: await token('system', 10) });
    const forge = client({ timeoutMs: 60_000, sleep: async () => undefined }).forge(clientKey, c);
    script = () => {
      t += 11_000; // the token expires while the product asks us to come back
      return { status: 503, headers: { 'retry-after': '0' } };
    };
    const mid = await forge.asApp().get('/rest/api/3/myself').catch((e: unknown) => e);
    expect(mid).toMatchObject({ name: 'ForgeTokenError', token: 'system', problem: 'expired' });
    expect(seen).toHaveLength(1);
    const after = await forge.asApp().get('/rest/api/3/myself').catch((e: unknown) => e);
    expect(after).toMatchObject({ problem: 'expired' });
    expect(seen).toHaveLength(1);
    // The breaker did not count the expiry against the site.
    expect(client().circuitState(clientKey)).toBe('closed');
  });

  it('tokens are gone once the invocation disposes them', async () => {
    const c = await creds();
    const forge = client().forge(clientKey, c);
    c.dispose();
    expect(await forge.asApp().get('/x').catch((e: unknown) => e)).toMatchObject({ problem: 'disposed' });
    expect(seen).toEqual([]);
  });

  it('retries 503 like a Connect call (idempotent only), with the bearer on every attempt', async () => {
    let n = 0;
    script = () => (++n < 3 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200, body: { ok: 1 } });
    const c = await creds();
    const res = await client().forge(clientKey, c).asApp().request('/rest/api/3/myself');
    expect(res.attempts).toBe(3);
    expect(new Set(seen.map((s) => s.authorization))).toEqual(new Set([`Bearer ${c.bearer('system', t)}`]));
    n = 0;
    const post = await client().forge(clientKey, c).asApp().post('/rest/api/3/issue', {}).catch((e: unknown) => e);
    expect(post).toMatchObject({ kind: 'unavailable', attempts: 1 });
  });

  it('shares the site breaker with its Connect calls', async () => {
    script = () => ({ status: 500 });
    const product = client({ retry: { maxRetries: 0 } });
    const forge = product.forge(clientKey, await creds());
    for (let i = 0; i < 3; i++) await forge.asApp().get('/rest/api/3/myself').catch(() => undefined);
    expect(product.circuitState(clientKey)).toBe('open');
    const n = seen.length;
    expect(await forge.asUser().get('/rest/api/3/myself').catch((e: unknown) => e)).toMatchObject({ kind: 'circuit_open' });
    expect(await product.asApp(clientKey).get('/rest/api/3/myself').catch((e: unknown) => e)).toMatchObject({ kind: 'circuit_open' });
    expect(seen.length).toBe(n);
  });

  it('a 429 pauses the scope for Forge and Connect calls of the site alike; nothing is sent before the reset', async () => {
    script = () => ({ status: 429, headers: { 'retry-after': '60', 'ratelimit-reason': 'jira-quota-tenant-based' } });
    const limits = new MemoryRateLimitState();
    const product = client({ rateLimits: limits, retry: { maxRetries: 0 } });
    const forge = product.forge(clientKey, await creds());
    expect(await forge.asApp().get('/rest/api/3/myself').catch((e: unknown) => e)).toMatchObject({ kind: 'rate_limited', limit: 'site' });
    expect(seen).toHaveLength(1);
    expect(await forge.asUser().get('/rest/api/3/issue/A-1').catch((e: unknown) => e)).toMatchObject({ kind: 'rate_limited', limit: 'site' });
    expect(await product.asApp(clientKey).get('/rest/api/3/project/search').catch((e: unknown) => e)).toMatchObject({ kind: 'rate_limited' });
    expect(seen).toHaveLength(1);
    t += 61_000;
    script = () => ({ status: 200 });
    await forge.asApp().get('/rest/api/3/myself');
    expect(seen).toHaveLength(2);
  });

  it('refuses an API base URL that is neither the gateway nor an allowed host', async () => {
    const forge = client().forge(clientKey, await creds({ apiBaseUrl: `https://evil.example/ex/jira/${cloudId}` }));
    expect(await forge.asApp().get('/x').catch((e: unknown) => e)).toMatchObject({ kind: 'not_installed' });
  });

  it('never puts a token in a log line, an error or an inspected object', async () => {
    const logs: Logged[] = [];
    const c = await creds({ systemToken: await token('system', 5) });
    const secrets = [c.bearer('system', t), c.bearer('user', t)];
    const product = client({ sleep: async (ms) => void (t += ms), nearLimitPauseMs: 1 }, logs);
    const forge = product.forge(clientKey, c);
    const errors: unknown[] = [];
    const paths: Script[] = [
      () => ({ status: 503, headers: { 'retry-after': '0' } }),
      () => ({ status: 200, headers: { 'x-ratelimit-nearlimit': 'true' } }),
      () => ({ status: 401, body: { errorMessages: ['bad token'] } }),
      () => ({ status: 429, headers: { 'retry-after': '1', 'ratelimit-reason': 'jira-burst-based' } }),
      () => ({ status: 500 }),
    ];
    for (const s of paths) {
      let first = true;
      script = (r) => (first ? ((first = false), s(r)) : { status: 200 });
      for (const rq of [forge.asApp(), forge.asUser()]) {
        try {
          errors.push(await rq.request('/rest/api/3/myself'));
        } catch (e) {
          errors.push(e);
        }
        t += 1_500;
      }
    }
    t += 10_000; // the system token has expired now
    errors.push(await forge.asApp().get('/x').catch((e: unknown) => e));
    c.dispose();
    errors.push(await forge.asUser().get('/x').catch((e: unknown) => e));
    expect(logs.some((l) => l.level === 'warn')).toBe(true);
    expect(errors.some((e) => e instanceof ForgeTokenError)).toBe(true);
    const dump = [
      ...logs.map((l) => JSON.stringify(l)),
      ...errors.map((e) => (e instanceof Error ? `${e.message} ${e.stack} ${JSON.stringify(e)} ${inspect(e, { depth: 5 })}` : inspect(e, { depth: 5 }))),
      JSON.stringify(c),
      inspect(c, { depth: 5, showHidden: true }),
      inspect(forge.asApp(), { depth: 5 }),
    ].join('\n');
    for (const s of secrets) {
      expect(dump).not.toContain(s);
      expect(dump).not.toContain(s.split('.')[2]!);
    }
    expect(dump).not.toMatch(/Bearer\s+ey/);
  });
});
