import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueryStringHash, decodeSymmetric, fromMethodAndUrl, SymmetricAlgorithm } from 'atlassian-jwt';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeQsh } from 'atlassian-connect-next';
import type { AppDescriptor } from '../lib/descriptor';
import { findIssue } from '../lib/directory';
import { Emulator } from '../lib/emulator';
import { NO_FAULTS } from '../lib/state';

/**
 * The issues extension over real HTTP: a small app server receives the webhooks (their JWTs are
 * checked with atlassian-jwt, not with the emulator's own code) and answers with the statuses a
 * test lines up; the test calls the product REST API as the app. Retries are set to 0 ms, so
 * tests wait on the deliveries themselves, never on time.
 */
const SECRET = 'a-shared-secret-that-is-long-enough-for-hs256';
const APP_KEY = 'com.example.app';
const PROP = `${APP_KEY}.checklist`;
let emu: Emulator;
let app: Server;
let appUrl = '';
/** Statuses the app answers with, in order (204 once exhausted); 'hang' never answers. */
let answers: (number | 'hang')[] = [];
let received: { path: string; headers: IncomingMessage['headers']; body: string; claims: Record<string, unknown>; qshOk: boolean }[] = [];
let onReceive: (() => void) | undefined;

function until(n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (received.length >= n ? resolve() : (onReceive = check));
    check();
  });
}

beforeAll(async () => {
  app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = /^JWT (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const claims = decodeSymmetric(token, SECRET, SymmetricAlgorithm.HS256) as Record<string, unknown>;
      const qshOk = claims.qsh === createQueryStringHash(fromMethodAndUrl('POST', req.url!), false, appUrl);
      received.push({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), claims, qshOk });
      const status = answers.shift() ?? 204;
      if (status !== 'hang') res.writeHead(status).end();
      onReceive?.();
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  emu = await new Emulator({ appUrl, port: 0, keysPort: 0, quiet: true, extensions: [] }).start();
});
afterAll(async () => {
  await emu.stop();
  app.closeAllConnections();
  await new Promise((r) => app.close(r));
});
beforeEach(async () => {
  await emu.reset();
  const site = emu.site('jira');
  Object.assign(site, { installed: true, enabled: true, sharedSecret: SECRET, baseUrl: emu.url });
  site.descriptor = {
    key: APP_KEY,
    name: 'App',
    baseUrl: appUrl,
    scopes: ['READ', 'WRITE'],
    modules: {
      webhooks: [
        { event: 'jira:issue_deleted', url: '/hooks/deleted?issueId=${issue.id}', excludeBody: true },
        { event: 'jira:issue_updated', url: '/hooks/updated' },
      ],
      jiraEntityProperties: [
        {
          key: 'progress',
          entityType: 'issue',
          keyConfigurations: [{ propertyKey: PROP, extractions: [{ objectName: 'remaining', type: 'number', alias: 'checklistRemaining' }, { objectName: 'complete', type: 'string', alias: 'checklistComplete' }] }],
        },
      ],
    },
  } as unknown as AppDescriptor;
  emu.faults = { ...NO_FAULTS };
  emu.issues.sender.policy = { retryDelaysMs: [0, 0, 0], timeoutMs: 10_000 };
  answers = [];
  received = [];
});

async function asApp(method: string, path: string, body?: unknown): Promise<Response> {
  const url = `${emu.site('jira').baseUrl}${path}`;
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ iss: APP_KEY, iat: now, exp: now + 60, qsh: computeQsh(method, url, emu.site('jira').baseUrl) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(SECRET));
  return fetch(url, { method, headers: { authorization: `JWT ${jwt}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
}

const control = (path: string, body: unknown) => fetch(`${emu.url}/_emu/ext/issues/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('issue properties and JQL', () => {
  it('stores a property the app writes (WRITE scope) and finds the issue by the declared alias', async () => {
    expect((await asApp('PUT', `/rest/api/3/issue/DEMO-1/properties/${PROP}`, { remaining: 2, complete: false })).status).toBe(201);
    expect((await asApp('PUT', `/rest/api/3/issue/10002/properties/${PROP}`, { remaining: 0, complete: true })).status).toBe(201);
    expect((await asApp('PUT', `/rest/api/3/issue/DEMO-1/properties/${PROP}`, { remaining: 1, complete: false })).status).toBe(200);
    expect(await (await asApp('GET', `/rest/api/3/issue/10001/properties/${PROP}`)).json()).toEqual({ key: PROP, value: { remaining: 1, complete: false } });
    const search = async (jql: string) => (await (await asApp('GET', `/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}`)).json()) as { issues: { key: string }[] };
    expect((await search('checklistRemaining > 0')).issues.map((i) => i.key)).toEqual(['DEMO-1']);
    expect((await search('checklistComplete = true')).issues.map((i) => i.key)).toEqual(['DEMO-2']);
    const bad = await asApp('GET', `/rest/api/3/search/jql?jql=${encodeURIComponent('checklistRemaining < checklistTotal')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorMessages: string[] }).errorMessages[0]).toMatch(/not a valid number/);
  });

  it('refuses writes without the WRITE scope, to missing issues, and oversized values', async () => {
    emu.site('jira').descriptor!.scopes = ['READ'];
    expect((await asApp('PUT', `/rest/api/3/issue/DEMO-1/properties/${PROP}`, { remaining: 1 })).status).toBe(403);
    emu.site('jira').descriptor!.scopes = ['READ', 'WRITE'];
    expect((await asApp('PUT', `/rest/api/3/issue/NOPE-1/properties/${PROP}`, { remaining: 1 })).status).toBe(404);
    expect((await asApp('PUT', `/rest/api/3/issue/DEMO-1/properties/${PROP}`, { s: 'x'.repeat(33_000) })).status).toBe(400);
    expect((await asApp('DELETE', `/rest/api/3/issue/DEMO-1/properties/${PROP}`)).status).toBe(403); // DELETE scope
  });
});

describe('webhooks as Jira sends them', () => {
  it('deleting an issue posts jira:issue_deleted, signed, with the id in the URL and no body; the issue and its properties are gone', async () => {
    await asApp('PUT', `/rest/api/3/issue/DEMO-3/properties/${PROP}`, { remaining: 1 });
    const r = (await (await control('delete', { issue: 'DEMO-3' })).json()) as { issue: { id: string }; deliveries: { outcome: string; status: number }[] };
    expect(r.deliveries).toEqual([expect.objectContaining({ outcome: 'delivered', status: 204, retry: 0 })]);
    const [hit] = received;
    expect(hit!.path).toBe('/hooks/deleted?issueId=10003');
    expect(hit!.body).toBe('');
    expect(hit!.qshOk).toBe(true);
    expect(hit!.claims.iss).toBe(emu.site('jira').clientKey);
    expect(hit!.headers['x-atlassian-webhook-identifier']).toMatch(/^[0-9a-f-]{36}$/);
    expect(hit!.headers['x-atlassian-webhook-retry']).toBeUndefined();
    expect(findIssue('DEMO-3')).toBeUndefined();
    expect((await asApp('GET', '/rest/api/3/issue/10003')).status).toBe(404);
    expect((await asApp('GET', `/rest/api/3/issue/10003/properties/${PROP}`)).status).toBe(404);
    await emu.reset();
    expect(findIssue('DEMO-3')?.id).toBe('10003');
  });

  it('moving an issue posts jira:issue_updated with the project and key changelog; the id and properties stay', async () => {
    await asApp('PUT', `/rest/api/3/issue/DEMO-2/properties/${PROP}`, { remaining: 4 });
    const r = (await (await control('move', { issue: 'DEMO-2', project: 'OPS' })).json()) as { issue: { key: string }; from: { key: string } };
    expect(r).toMatchObject({ issue: { key: 'OPS-3' }, from: { key: 'DEMO-2' } });
    const body = JSON.parse(received[0]!.body) as { webhookEvent: string; timestamp: number; issue: { id: string; key: string; fields: { project: { key: string } } }; changelog: { items: { field: string; toString: string }[] } };
    expect(body).toMatchObject({ webhookEvent: 'jira:issue_updated', issue: { id: '10002', key: 'OPS-3', fields: { project: { key: 'OPS' } } } });
    expect(body.changelog.items.map((i) => [i.field, i.toString])).toEqual([['project', 'Operations'], ['Key', 'OPS-3']]);
    expect(received[0]!.qshOk).toBe(true);
    expect((await (await asApp('GET', `/rest/api/3/issue/OPS-3/properties/${PROP}`)).json()) as unknown).toMatchObject({ value: { remaining: 4 } });
  });

  it('retries on 503 and on no answer with the same identifier and a retry count, and stops on 401', async () => {
    answers = [503, 429];
    await control('delete', { issue: 'DEMO-4' });
    await until(3);
    const ids = new Set(received.map((h) => h.headers['x-atlassian-webhook-identifier']));
    expect(ids.size).toBe(1);
    expect(received.map((h) => h.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
    expect(received.every((h) => h.qshOk)).toBe(true);
    await expect.poll(() => emu.issues.sender.log.list().map((d) => d.outcome)).toEqual(['will-retry', 'will-retry', 'delivered']);

    received = [];
    emu.issues.sender.log.clear();
    answers = [401];
    await control('delete', { issue: 'DEMO-5' });
    expect(emu.issues.sender.log.list().map((d) => [d.status, d.outcome])).toEqual([[401, 'failed']]);
  });

  it('gives up after the last retry, and a delivery nobody answers in time is retried', async () => {
    emu.issues.sender.policy = { retryDelaysMs: [0], timeoutMs: 300 };
    answers = ['hang', 500];
    await control('delete', { issue: 'DEMO-6' });
    await until(2);
    await expect.poll(() => emu.issues.sender.log.list().map((d) => d.outcome)).toEqual(['will-retry', 'gave-up']);
    expect(emu.issues.sender.log.list()[0]!.error).toMatch(/no answer within 300 ms/);
  });

  it('sends nothing to a disabled app', async () => {
    emu.site('jira').enabled = false;
    const r = (await (await control('delete', { issue: 'DEMO-7' })).json()) as { deliveries: unknown[] };
    expect(r.deliveries).toEqual([]);
    expect(received).toEqual([]);
  });
});
