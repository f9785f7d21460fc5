import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { computeQsh } from 'atlassian-connect-next';
import type { AppDescriptor } from './descriptor';
import { USERS } from './directory';
import { Emulator } from './emulator';
import { JWT_BEARER_GRANT } from './oauth';
import { NO_FAULTS } from './state';

/**
 * The emulator over real HTTP without an app: the site is marked installed by hand and the test
 * plays the app, calling the product REST API, the OAuth endpoint, the bridge and the controls.
 */

const SECRET = 'a-shared-secret-that-is-long-enough-for-hs256';
const APP_KEY = 'com.example.app';
let emu: Emulator;

async function appJwt(method: string, url: string, base = emu.site('jira').baseUrl): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: APP_KEY, iat: now, exp: now + 60, qsh: computeQsh(method, url, base) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(SECRET));
}

async function asApp(method: string, path: string, body?: unknown): Promise<Response> {
  const url = `${emu.site('jira').baseUrl}${path}`;
  return fetch(url, {
    method,
    headers: { authorization: `JWT ${await appJwt(method, url)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

beforeAll(async () => {
  emu = await new Emulator({ appUrl: 'http://localhost:9', port: 0, keysPort: 0, quiet: true, extensions: [] }).start();
});
afterAll(() => emu.stop());
beforeEach(() => {
  const site = emu.site('jira');
  Object.assign(site, { installed: true, enabled: true, sharedSecret: SECRET, baseUrl: emu.url });
  site.descriptor = { key: APP_KEY, name: 'App', baseUrl: 'http://localhost:9', scopes: ['READ', 'ACT_AS_USER'], enableLicensing: true } as AppDescriptor;
  emu.faults = { ...NO_FAULTS };
  emu.restLog.clear();
});

describe('product REST over HTTP', () => {
  it('answers the app with Jira-shaped JSON', async () => {
    const issue = await asApp('GET', '/rest/api/3/issue/DEMO-1?fields=summary,status');
    expect(issue.status).toBe(200);
    expect(await issue.json()).toMatchObject({ key: 'DEMO-1', fields: { summary: 'Prepare the 2.0 release', status: { name: 'To Do' } } });
    const admin = USERS.find((u) => u.siteAdmin)!;
    const user = USERS.find((u) => !u.siteAdmin)!;
    for (const [u, granted] of [[admin, ['ADMINISTER']], [user, []]] as const) {
      const res = await asApp('POST', '/rest/api/3/permissions/check', { accountId: u.accountId, globalPermissions: ['ADMINISTER'] });
      expect((await res.json()) as unknown).toMatchObject({ globalPermissions: granted });
    }
    const who = await asApp('GET', `/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`);
    expect(await who.json()).toMatchObject({ accountId: user.accountId, displayName: user.displayName });
    expect((await asApp('GET', '/rest/api/3/user?accountId=nobody')).status).toBe(404);
  });

  it('reports the license the switcher sets', async () => {
    const lic = async () => ((await (await asApp('GET', `/rest/atlassian-connect/1/addons/${APP_KEY}`)).json()) as { license?: { active: boolean; evaluation: boolean } }).license;
    emu.setViewer({ license: 'active' });
    expect(await lic()).toMatchObject({ active: true, evaluation: false });
    emu.setViewer({ license: 'evaluation' });
    expect(await lic()).toMatchObject({ active: true, evaluation: true });
    emu.setViewer({ license: 'none' });
    expect(await lic()).toMatchObject({ active: false });
    emu.setViewer({ license: 'absent' });
    expect(await lic()).toBeUndefined();
  });

  it('refuses a query-string JWT and unauthenticated calls with 401', async () => {
    const url = `${emu.url}/rest/api/3/myself`;
    const jwt = await appJwt('GET', url);
    const q = await fetch(`${url}?jwt=${jwt}`);
    expect(q.status).toBe(401);
    expect(((await q.json()) as { code: string }).code).toBe('QUERY_JWT_REFUSED');
    expect(q.headers.get('www-authenticate')).toMatch(/^JWT/);
    expect((await fetch(url)).status).toBe(401);
    expect(emu.restLog.list().map((r) => r.status)).toEqual([401, 401]);
  });

  it('answers only at the current baseUrl, and checks qsh against its path', async () => {
    const renamed = `${emu.url}/renamed`;
    emu.site('jira').baseUrl = renamed;
    const ok = await asApp('GET', '/rest/api/3/myself');
    expect(ok.status).toBe(200);
    // A token computed with the path prefix inside the path is for another request.
    const url = `${renamed}/rest/api/3/myself`;
    const wrong = await fetch(url, { headers: { authorization: `JWT ${await appJwt('GET', url, emu.url)}` } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${emu.url}/rest/api/3/myself`)).status).toBe(404);
  });

  it('injects 429 with Retry-After, 503, and closed connections', async () => {
    emu.setFaults({ failNext: 1, failNextKind: '429', retryAfterSeconds: 7 });
    const limited = await asApp('GET', '/rest/api/3/myself');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await asApp('GET', '/rest/api/3/myself')).status).toBe(200);
    emu.setFaults({ errorRate: 1 });
    expect((await asApp('GET', '/rest/api/3/myself')).status).toBe(503);
    emu.setFaults({ errorRate: 0, refuse: true });
    await expect(asApp('GET', '/rest/api/3/myself')).rejects.toThrow();
    // The control API stays reachable during faults.
    expect((await fetch(`${emu.url}/_emu/api/state`)).status).toBe(200);
  });

  it('adds latency', async () => {
    emu.setFaults({ latencyMs: 300 });
    const started = Date.now();
    expect((await asApp('GET', '/rest/api/3/myself')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('OAuth user tokens over HTTP', () => {
  it('issues a bearer token the REST API accepts as that user, until it expires', async () => {
    // The emulator reads the time with Date: frozen here and moved across the token's lifetime.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => void vi.useRealTimers());
    const TTL_SECONDS = emu.settings.oauthTokenTtlSeconds;
    const user = USERS.find((u) => u.key === 'user')!;
    const now = Math.floor(Date.now() / 1000);
    const site = emu.site('jira');
    const assertion = await new SignJWT({
      iss: `urn:atlassian:connect:clientid:${site.oauthClientId}`,
      sub: `urn:atlassian:connect:useraccountid:${user.accountId}`,
      tnt: site.baseUrl,
      aud: emu.url,
      iat: now,
      exp: now + 60,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    const res = await fetch(`${emu.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion, scope: 'READ' }),
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const me = () => fetch(`${emu.url}/rest/api/3/myself`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(await (await me()).json()).toMatchObject({ accountId: user.accountId });
    vi.advanceTimersByTime(TTL_SECONDS * 1000 - 1);
    expect((await me()).status).toBe(200);
    vi.advanceTimersByTime(1);
    expect((await me()).status).toBe(401);
  });
});

describe('bridge and controls', () => {
  it('signs context tokens for the acting user, and refuses non-JSON posts', async () => {
    const res = await fetch(`${emu.url}/_emu/bridge/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: 'user', context: { jira: { issue: { id: '10001' } } } }) });
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ qsh: 'context-qsh', sub: USERS.find((u) => u.key === 'user')!.accountId, iss: emu.site('jira').clientKey, context: { jira: { issue: { id: '10001' } } } });
    const form = await fetch(`${emu.url}/_emu/bridge/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
  });

  it('runs AP.request as the viewing user, only against REST paths of the site', async () => {
    const call = (url: string, as = 'admin') =>
      fetch(`${emu.url}/_emu/bridge/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as, url }) });
    expect(await (await call('/rest/api/3/myself', 'other')).json()).toMatchObject({ displayName: 'Omar Other' });
    expect((await call('/rest/api/3/myself', 'anonymous')).status).toBe(401);
    expect((await call('//evil.example/rest')).status).toBe(400);
    expect((await call('/secure/admin')).status).toBe(404);
  });

  it('refuses cross-origin form posts to the control page', async () => {
    const res = await fetch(`${emu.url}/_emu/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:4200' },
      body: 'action=uninstall&product=jira',
    });
    expect(res.status).toBe(403);
    expect(emu.site('jira').installed).toBe(true);
  });

  it('keeps switcher values valid', async () => {
    emu.setViewer({ user: 'admin', locale: 'en', license: 'active' });
    const res = await fetch(`${emu.url}/_emu/api/viewer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'root', locale: 'de', license: 'maybe' }) });
    expect(res.status).toBe(200);
    expect(emu.viewer).toEqual({ user: 'admin', locale: 'de', license: 'active' });
  });
});
