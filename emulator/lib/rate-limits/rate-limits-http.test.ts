import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeQsh } from 'atlassian-connect-next';
import type { AppDescriptor } from '../descriptor';
import { Emulator } from '../emulator';
import type { Product } from '../state';

/**
 * The rate limits over real HTTP: the test plays the app against both emulated sites, switches
 * limits on through the control API and moves the emulator's injected clock (the app's JWTs
 * still use the real one, which the limits never read).
 */

const SECRET = 'a-shared-secret-that-is-long-enough-for-hs256';
const APP_KEY = 'com.example.app';
const START = Date.UTC(2026, 5, 1, 10, 30, 0);
let t = START;
let emu: Emulator;

async function asApp(method: string, path: string, product: Product = 'jira', body?: unknown): Promise<Response> {
  const base = emu.site(product).baseUrl;
  const url = `${base}${path}`;
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ iss: APP_KEY, iat: now, exp: now + 60, qsh: computeQsh(method, url, base) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(SECRET));
  return fetch(url, { method, headers: { authorization: `JWT ${jwt}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function control(method: string, name: string, body?: unknown): Promise<Response> {
  return fetch(`${emu.url}/_emu/api/${name}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

const rateHeaders = (r: Response) => Object.fromEntries([...r.headers].filter(([k]) => /ratelimit|retry-after/.test(k)));

beforeAll(async () => {
  emu = await new Emulator({ appUrl: 'http://localhost:9', port: 0, keysPort: 0, quiet: true, extensions: [], now: () => t }).start();
});
afterAll(() => emu.stop());
beforeEach(async () => {
  t = START;
  await emu.reset();
  for (const product of ['jira', 'confluence'] as const) {
    const site = emu.site(product);
    Object.assign(site, { installed: true, enabled: true, sharedSecret: SECRET });
    site.descriptor = { key: APP_KEY, name: 'App', baseUrl: 'http://localhost:9', scopes: ['READ', 'WRITE', 'DELETE'], enableLicensing: true } as AppDescriptor;
  }
});

describe('rate limits through the control API', () => {
  it('are off by default, while the ledger counts points per site', async () => {
    for (let i = 0; i < 30; i++) expect((await asApp('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
    const res = await asApp('GET', '/rest/api/3/myself');
    expect(rateHeaders(res)).toEqual({});
    const ledger = (await (await control('GET', 'rate-limits')).json()) as { sites: { clientKey: string; spent: number; requests: number }[]; costTable: { source: string } };
    expect(ledger.sites).toEqual([expect.objectContaining({ clientKey: emu.site('jira').clientKey, spent: 30 * 2 + 3, requests: 31 })]);
    expect(ledger.costTable.source).toBe('https://developer.atlassian.com/cloud/jira/platform/rate-limiting/');
  });

  it('refuse a burst on one endpoint and method with 429 and leave another endpoint alone', async () => {
    const on = await control('POST', 'rate-limits', { burst: { perSecond: { GET: 3 } } });
    expect(on.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await asApp('GET', '/rest/api/3/issue/DEMO-1')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await asApp('GET', '/rest/api/3/issue/DEMO-2');
    expect(refused.status).toBe(429);
    expect(rateHeaders(refused)).toEqual({
      'retry-after': '1',
      'x-ratelimit-limit': '3',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '2026-06-01T10:30:01Z',
      'ratelimit-reason': 'jira-burst-based',
    });
    expect(await refused.json()).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} });
    expect((await asApp('GET', '/rest/api/3/myself')).status).toBe(200);
    expect((await asApp('PUT', '/rest/api/3/issue/DEMO-1/properties/k', 'jira', { a: 1 })).status).toBe(201);
    t += 1000;
    expect((await asApp('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
    const log = (await (await control('GET', 'requests')).json()) as { status: number; error?: string }[];
    expect(log.filter((r) => r.status === 429).map((r) => r.error)).toEqual(['rate limited: jira-burst-based', 'rate limited: jira-burst-based']);
  });

  it('refuse a fourth write to one issue (issue properties) and not writes to another', async () => {
    await control('POST', 'rate-limits', { perIssueWrites: { windows: [{ limit: 3, seconds: 2 }] } });
    for (let i = 0; i < 3; i++) expect((await asApp('PUT', `/rest/api/3/issue/DEMO-1/properties/k${i}`, 'jira', i)).status).toBe(201);
    const refused = await asApp('DELETE', '/rest/api/3/issue/DEMO-1/properties/k0');
    expect(refused.status).toBe(429);
    expect(rateHeaders(refused)).toMatchObject({ 'ratelimit-reason': 'jira-per-issue-on-write', 'retry-after': '2', 'x-ratelimit-limit': '3' });
    expect((await asApp('PUT', '/rest/api/3/issue/DEMO-2/properties/k', 'jira', 1)).status).toBe(201);
    expect((await asApp('GET', '/rest/api/3/issue/DEMO-1/properties/k0')).status).toBe(200);
    t += 2000;
    expect((await asApp('DELETE', '/rest/api/3/issue/DEMO-1/properties/k0')).status).toBe(204);
  });

  it('per-site quota stops the Jira site and not the Confluence one; the next hour opens it again', async () => {
    await control('POST', 'rate-limits', { quota: { pointsPerHour: 10, scope: 'site' } });
    for (let i = 0; i < 4; i++) expect((await asApp('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
    const near = await asApp('GET', '/rest/api/3/issue/DEMO-1');
    expect(rateHeaders(near)).toMatchObject({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-nearlimit': 'true', 'ratelimit-policy': '"tenant-app-quota";q=10;w=3600', ratelimit: '"tenant-app-quota";r=0;t=1800' });
    const refused = await asApp('GET', '/rest/api/3/myself');
    expect(refused.status).toBe(429);
    expect(rateHeaders(refused)).toEqual({ 'retry-after': '1800', 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2026-06-01T11:00:00Z', 'ratelimit-reason': 'jira-quota-tenant-based' });
    expect((await asApp('GET', '/rest/api/user/current', 'confluence')).status).toBe(200);
    const ledger = (await (await control('GET', 'rate-limits')).json()) as { quota: { clientKey: string; spent: number; remaining: number }[]; window: { reset: string } };
    expect(ledger.window.reset).toBe('2026-06-01T11:00:00Z');
    expect(ledger.quota).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ clientKey: emu.site('jira').clientKey, spent: 10, remaining: 0 }),
        expect.objectContaining({ clientKey: emu.site('confluence').clientKey, spent: 3, remaining: 7 }),
      ]),
    );
    t = Date.UTC(2026, 5, 1, 11, 0, 0);
    expect((await asApp('GET', '/rest/api/3/myself')).status).toBe(200);
  });

  it('the app pool stops both sites; DELETE clears the counters and reset turns the limits off', async () => {
    await control('POST', 'rate-limits', { quota: { pointsPerHour: 5, scope: 'app' } });
    await asApp('GET', '/rest/api/3/issue/DEMO-1');
    await asApp('GET', '/rest/api/user/current', 'confluence');
    const jira = await asApp('GET', '/rest/api/3/issue/DEMO-1');
    const wiki = await asApp('GET', '/rest/api/user/current', 'confluence');
    expect([jira.status, jira.headers.get('ratelimit-reason')]).toEqual([429, 'jira-quota-global-based']);
    expect([wiki.status, wiki.headers.get('ratelimit-reason')]).toEqual([429, 'confluence-quota-global-based']);
    await control('DELETE', 'rate-limits');
    expect((await asApp('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
    await control('POST', 'reset');
    const state = (await (await control('GET', 'rate-limits')).json()) as { config: unknown; sites: unknown[] };
    expect(state).toMatchObject({ config: { quota: null, burst: null, perIssueWrites: null }, sites: [] });
  });

  it('answers 400 to a configuration it cannot use', async () => {
    const bad = await control('POST', 'rate-limits', { quota: { pointsPerHour: -1 } });
    expect(bad.status).toBe(400);
    expect((await asApp('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
  });

  it('can be switched on from the emulator options', () => {
    const off = new Emulator({ appUrl: 'http://localhost:9', quiet: true });
    const on = new Emulator({ appUrl: 'http://localhost:9', quiet: true, rateLimits: { quota: true, perIssueWrites: true } });
    expect(off.rateLimits.config).toEqual({ quota: null, burst: null, perIssueWrites: null });
    expect(on.rateLimits.config).toMatchObject({ quota: { pointsPerHour: 65_000, scope: 'app' }, burst: null, perIssueWrites: { windows: [{ limit: 20, seconds: 2 }, { limit: 100, seconds: 30 }] } });
  });
});

describe('rate-limit faults (a 429 of one kind, now)', () => {
  it('answer the next N matching calls with that reason and the same headers, then recover', async () => {
    const set = await control('POST', 'faults', { rateLimit: { reason: 'jira-per-issue-on-write', retryAfterSeconds: 3, path: '/rest/api/3/issue/DEMO-1/properties', times: 2 } });
    expect(set.status).toBe(200);
    expect((await asApp('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const r = await asApp('PUT', '/rest/api/3/issue/DEMO-1/properties/k', 'jira', 1);
      expect(r.status).toBe(429);
      expect(rateHeaders(r)).toEqual({ 'retry-after': '3', 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2026-06-01T10:30:03Z', 'ratelimit-reason': 'jira-per-issue-on-write' });
    }
    expect((await asApp('PUT', '/rest/api/3/issue/DEMO-1/properties/k', 'jira', 1)).status).toBe(201);
  });

  it('keep answering until cleared when no count is given, and refuse unknown reasons', async () => {
    expect((await control('POST', 'faults', { rateLimit: { reason: 'jira-made-up' } })).status).toBe(400);
    await control('POST', 'faults', { rateLimit: { reason: 'jira-quota-global-based', retryAfterSeconds: 60 } });
    for (let i = 0; i < 3; i++) {
      const r = await asApp('GET', '/rest/api/3/myself');
      expect([r.status, r.headers.get('ratelimit-reason'), r.headers.get('x-ratelimit-limit')]).toEqual([429, 'jira-quota-global-based', '65000']);
    }
    await control('DELETE', 'faults');
    expect((await asApp('GET', '/rest/api/3/myself')).status).toBe(200);
  });
});
