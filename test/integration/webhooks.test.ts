import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/database';
import { adminSession, api, deliver, eventually, issueToken, movedBody, startEmulatedStack, webhookToken, type EmulatedStack } from './webhook-support';

/**
 * Webhooks against the built app, with the product emulator as Jira: the route's rejection
 * paths (each leaves nothing recorded), deliveries that take effect once, out-of-order moves,
 * deletion reaching the export, and the issue property kept in step, also through an outage.
 * The app's worker runs on its own; tests wait for what it does, never for a time.
 */
let s: EmulatedStack;
const PROP = 'com.example.connect-checklists.checklist';

beforeAll(async () => {
  s = await startEmulatedStack({ ISSUE_PROPERTY_DELAY_MS: '300', JOB_RETRY_MAX_DELAY_MS: '1000', JOB_POLL_INTERVAL_MS: '200' });
}, 180_000);
afterAll(() => s?.stop());

const deleted = (issueId: string) => `/webhooks/issue-deleted?issueId=${issueId}`;
const UPDATED = '/webhooks/issue-updated';

async function addItems(issue: string, issueId: string, texts: string[]): Promise<string[]> {
  const token = await issueToken(s.emu, issue);
  const ids: string[] = [];
  for (const text of texts) {
    const r = await api(s.app.url, token, 'POST', `/api/checklists/${issueId}/items`, { text });
    expect(r.status).toBe(201);
    ids.push((r.json.item as { id: string }).id);
  }
  return ids;
}

async function items(issue: string, issueId: string, projectKey = 'DEMO'): Promise<{ enabled: boolean; items: { id: string; checked: boolean; version: number }[] }> {
  const r = await api(s.app.url, await issueToken(s.emu, issue), 'GET', `/api/checklists/${issueId}?projectKey=${projectKey}`);
  expect(r.status).toBe(200);
  return r.json as never;
}

/** Log lines of the app's job handlers for one delivery. */
const handled = (id: string, msg: string) => s.app.output().split('\n').filter((l) => l.includes(`"delivery":"${id}"`) && l.includes(msg)).length;

async function jobsWithDedupeKey(id: string): Promise<number | undefined> {
  if (!s.databaseUrl) return undefined;
  const c = new pg.Client({ connectionString: s.databaseUrl });
  await c.connect();
  try {
    return (await c.query('SELECT count(*)::int AS n FROM "ConnectJob" WHERE "dedupeKey" = $1', [`webhook:${id}`])).rows[0].n as number;
  } finally {
    await c.end();
  }
}

describe('the webhook route refuses, and records nothing', () => {
  it('every rejection path, then the same identifier is still unused', async () => {
    await addItems('DEMO-6', '10006', ['keep me']);
    await addItems('DEMO-7', '10007', ['delete me']);
    const X = randomUUID();
    const site = s.site;
    const app = s.app.url;
    // A second site, installed and then uninstalled: its last secret is known to the attacker.
    const conf = s.emu.site('confluence');
    expect((await s.emu.install('confluence')).every((r) => r.ok)).toBe(true);
    const goneSite = { clientKey: conf.clientKey, sharedSecret: conf.sharedSecret! };
    await s.emu.uninstall('confluence');

    const cases: [string, Promise<{ status: number; text: string }>, number, string][] = [
      ['no token', deliver(app, site, deleted('10006'), { id: X, authorization: null }), 401, 'JWT_MISSING'],
      ['token in the query string only', deliver(app, site, `${deleted('10006')}&jwt=${webhookToken(app, site, deleted('10006'))}`, { id: X, authorization: null }), 401, 'JWT_MISSING'],
      ['another secret', deliver(app, site, deleted('10006'), { id: X, secret: 'not-the-shared-secret-but-long-enough' }), 401, 'JWT_SIGNATURE'],
      ['qsh of another URL', deliver(app, site, deleted('10006'), { id: X, signedPath: deleted('10007') }), 401, 'JWT_QSH'],
      ['a context token', deliver(app, site, deleted('10006'), { id: X, claims: { qsh: 'context-qsh' } }), 401, 'JWT_QSH'],
      ['expired', deliver(app, site, deleted('10006'), { id: X, claims: { iat: 1_600_000_000, exp: 1_600_000_180 } }), 401, 'JWT_EXPIRED'],
      ['alg none', deliver(app, site, deleted('10006'), { id: X, authorization: `JWT ${unsigned(site.clientKey)}` }), 401, 'JWT_ALGORITHM'],
      ['not a JWT', deliver(app, site, deleted('10006'), { id: X, authorization: 'JWT abc.def' }), 401, 'JWT_MALFORMED'],
      ['unknown site', deliver(app, { clientKey: randomUUID(), sharedSecret: site.sharedSecret }, deleted('10006'), { id: X }), 401, 'TENANT_UNKNOWN'],
      ['uninstalled site', deliver(app, goneSite, deleted('10006'), { id: X }), 401, 'TENANT_UNINSTALLED'],
      ['malformed JSON', deliver(app, site, UPDATED, { id: X, rawBody: '{"timestamp": 1,' }), 400, 'BAD_REQUEST'],
      ['body without the issue', deliver(app, site, UPDATED, { id: X, body: { timestamp: 1, webhookEvent: 'jira:issue_updated' } }), 400, 'BAD_REQUEST'],
      ['issue id not an id', deliver(app, site, '/webhooks/issue-deleted?issueId=1%3BDROP', { id: X }), 400, 'BAD_REQUEST'],
      ['no issue id', deliver(app, site, '/webhooks/issue-deleted', { id: X }), 400, 'BAD_REQUEST'],
      ['malformed identifier', deliver(app, site, deleted('10006'), { id: 'x'.repeat(200) }), 400, 'BAD_REQUEST'],
      ['unknown webhook', deliver(app, site, '/webhooks/issue-archived', { id: X }), 404, 'NOT_FOUND'],
      ['body too large', deliver(app, site, UPDATED, { id: X, rawBody: JSON.stringify({ timestamp: 1, pad: 'x'.repeat(6 * 1024 * 1024) }) }), 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [name, sent, status, code] of cases) {
      const r = await sent;
      expect(r.status, `${name}: ${r.text}`).toBe(status);
      expect(JSON.parse(r.text).error.code, name).toBe(code);
      expect(r.text, name).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    expect(await jobsWithDedupeKey(X)).toBe(testDatabaseKind === 'postgres' ? 0 : undefined);
    expect(s.app.output()).not.toContain(X);

    // The identifier was never recorded: a real delivery with it is accepted and takes effect
    // (on issue 10007), and the checklist every refused delivery named is untouched.
    expect((await deliver(app, site, deleted('10007'), { id: X })).status).toBe(204);
    await eventually(() => items('DEMO-7', '10007'), (c) => c.items.length === 0, 'the checklist of DEMO-7 to be deleted');
    expect((await items('DEMO-6', '10006')).items).toHaveLength(1);
    expect(handled(X, 'issue deleted: checklist removed')).toBe(1);
  });
});

function unsigned(iss: string): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss, iat: now, exp: now + 60, qsh: 'x' })}.`;
}

describe('each delivery takes effect once', () => {
  it('a delivery repeated and retried is acknowledged every time and handled once', async () => {
    await addItems('DEMO-8', '10008', ['one', 'two']);
    const id = randomUUID();
    const sends = [deliver(s.app.url, s.site, deleted('10008'), { id }), deliver(s.app.url, s.site, deleted('10008'), { id }), deliver(s.app.url, s.site, deleted('10008'), { id, retry: 1 })];
    expect((await Promise.all(sends)).map((r) => r.status)).toEqual([204, 204, 204]);
    await eventually(async () => handled(id, 'issue deleted: checklist removed'), (n) => n >= 1, 'the deletion to be handled');
    // A later delivery is handled after anything recorded before it.
    const marker = randomUUID();
    await addItems('DEMO-5', '10005', ['marker']);
    expect((await deliver(s.app.url, s.site, deleted('10005'), { id: marker })).status).toBe(204);
    await eventually(async () => handled(marker, 'issue deleted'), (n) => n === 1, 'the marker delivery to be handled');
    expect(handled(id, 'issue deleted')).toBe(1);
    await eventually(async () => s.app.output().split('\n').filter((l) => l.includes(id) && l.includes('"outcome":"duplicate"')).length, (n) => n === 2, 'two duplicates in the log');
    if (testDatabaseKind === 'postgres') expect(await jobsWithDedupeKey(id)).toBe(1);
  });
});

describe('a moved issue: the project restriction follows, out-of-order moves resolved by time', () => {
  it('applies the newest move whatever the order of delivery', async () => {
    // Items first: while the restriction excludes the issue's project, writes there are refused.
    await addItems('DEMO-2', '10002', ['ship it']);
    // Settings are saved from the admin page's own session.
    const admin = await adminSession(s.emu);
    const current = await api(s.app.url, admin, 'GET', '/api/settings');
    const put = await api(s.app.url, admin, 'PUT', '/api/settings', {
      version: (current.json as { version: number }).version,
      settings: { template: { enabled: false, items: [] }, projects: { mode: 'listed', keys: ['OPS'] }, showCheckedBy: true },
    });
    expect(put.status).toBe(200);
    // The panel was opened in DEMO before the move: its projectKey stays DEMO.
    expect((await items('DEMO-2', '10002', 'DEMO')).enabled).toBe(false);

    const t = Date.now();
    const newer = randomUUID();
    expect((await deliver(s.app.url, s.site, UPDATED, { id: newer, body: movedBody('10002', { id: '10010', key: 'OPS' }, t) })).status).toBe(204);
    await eventually(() => items('DEMO-2', '10002', 'DEMO'), (c) => c.enabled, 'the restriction to follow the issue into OPS');

    const older = randomUUID();
    expect((await deliver(s.app.url, s.site, UPDATED, { id: older, body: movedBody('10002', { id: '10000', key: 'DEMO' }, t - 60_000) })).status).toBe(204);
    await eventually(async () => handled(older, 'issue move ignored'), (n) => n === 1, 'the late, older move to be handled');
    expect((await items('DEMO-2', '10002', 'DEMO')).enabled).toBe(true);

    expect((await deliver(s.app.url, s.site, UPDATED, { body: movedBody('10002', { id: '10000', key: 'DEMO' }, t + 60_000) })).status).toBe(204);
    await eventually(() => items('DEMO-2', '10002', 'OPS'), (c) => !c.enabled, 'the newest move (back to DEMO) to apply');

    // An update that is not a move needs no work: acknowledged, nothing recorded.
    const edit = randomUUID();
    const body = { ...movedBody('10002', { id: '10000', key: 'DEMO' }, t), changelog: { items: [{ field: 'summary' }] } };
    expect((await deliver(s.app.url, s.site, UPDATED, { id: edit, body })).status).toBe(204);
    // (log lines reach this process a moment after the answer: wait for the line itself)
    await eventually(async () => s.app.output().includes(`"delivery":"${edit}","retry":0,"outcome":"ignored"`), Boolean, 'the ignored delivery in the log');
    const all = await api(s.app.url, admin, 'PUT', '/api/settings', {
      version: (put.json as { version: number }).version,
      settings: { template: { enabled: false, items: [] }, projects: { mode: 'all', keys: [] }, showCheckedBy: true },
    });
    expect(all.status).toBe(200);
  });
});

describe('issue deleted in Jira', () => {
  it('its checklist leaves the database and the site export', async () => {
    await addItems('DEMO-3', '10003', ['write the guide', 'review it']);
    const admin = await adminSession(s.emu);
    const exported = async () => (await api(s.app.url, admin, 'GET', '/api/admin/data/export')).json as { checklistItems: { issueId: string }[]; checklistStates: { issueId: string }[] };
    expect((await exported()).checklistItems.filter((i) => i.issueId === '10003')).toHaveLength(2);
    const r = (await (await fetch(`${s.emu.url}/_emu/ext/issues/delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ issue: 'DEMO-3' }) })).json()) as { deliveries: { status: number }[] };
    expect(r.deliveries.map((d) => d.status)).toEqual([204]);
    const after = await eventually(exported, (e) => !e.checklistStates.some((st) => st.issueId === '10003'), 'the export to lose DEMO-3');
    expect(after.checklistItems.filter((i) => i.issueId === '10003')).toEqual([]);
  });
});

describe('the issue property', () => {
  const search = async (jql: string) => ((await (await fetch(`${s.emu.url}/_emu/ext/issues/search?jql=${encodeURIComponent(jql)}`)).json()) as { issues: { key: string }[] }).issues.map((i) => i.key);
  const property = async (issue: string) => ((await (await fetch(`${s.emu.url}/_emu/ext/issues/properties?issue=${issue}`)).json()) as { properties: Record<string, unknown> }).properties[PROP];

  it('follows the checklist, so JQL finds unfinished checklists and stops finding finished ones', async () => {
    const token = await issueToken(s.emu, 'DEMO-1');
    const ids = await addItems('DEMO-1', '10001', ['a', 'b', 'c']);
    await eventually(() => property('DEMO-1'), (v) => JSON.stringify(v) === JSON.stringify({ total: 3, done: 0, remaining: 3, complete: false }), 'the property of DEMO-1');
    expect(await search('checklistRemaining > 0')).toContain('DEMO-1');
    for (const id of ids) expect((await api(s.app.url, token, 'PATCH', `/api/checklists/10001/items/${id}`, { version: 1, checked: true })).status).toBe(200);
    await eventually(() => search('checklistRemaining > 0'), (keys) => !keys.includes('DEMO-1'), 'DEMO-1 to leave the search');
    expect(await search('checklistComplete = true')).toContain('DEMO-1');
    expect(await property('DEMO-1')).toEqual({ total: 3, done: 3, remaining: 0, complete: true });
  });

  it('catches up after the product was down while people edited', async () => {
    const ids = await addItems('DEMO-4', '10004', ['x', 'y']);
    await eventually(() => property('DEMO-4'), (v) => (v as { total?: number } | undefined)?.total === 2, 'the first property of DEMO-4');
    s.emu.restLog.clear();
    s.emu.setFaults({ refuse: true, pathPrefix: '/rest/api/3/issue/10004/properties' });
    const token = await issueToken(s.emu, 'DEMO-4');
    expect((await api(s.app.url, token, 'PATCH', `/api/checklists/10004/items/${ids[0]}`, { version: 1, checked: true })).status).toBe(200);
    // The write was tried and failed while the product was down.
    await eventually(async () => s.emu.restLog.list().filter((r) => r.method === 'PUT' && r.fault === 'refuse').length, (n) => n >= 1, 'a refused property write');
    expect(await property('DEMO-4')).toMatchObject({ done: 0 });
    s.emu.setFaults({ refuse: false, pathPrefix: '' });
    await eventually(() => property('DEMO-4'), (v) => (v as { done?: number }).done === 1, 'the property to catch up');
    await eventually(async () => s.app.output().includes('job will be retried'), Boolean, 'the retry in the log');
  });

  it("waits out Jira's site quota: the edit is saved at once, the property write is sent only after the reset, then lands", async () => {
    const had = { six: (await items('DEMO-6', '10006')).items.length, one: (await items('DEMO-1', '10001')).items.length };
    const ids = await addItems('DEMO-6', '10006', ['q']);
    await eventually(() => property('DEMO-6'), (v) => (v as { total?: number } | undefined)?.total === had.six + 1, 'the first property of DEMO-6');
    s.emu.restLog.clear();
    const propertyPath = '/rest/api/3/issue/10006/properties';
    const set = await fetch(`${s.emu.url}/_emu/api/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rateLimit: { reason: 'jira-quota-tenant-based', retryAfterSeconds: 3, times: 1, path: propertyPath } }),
    });
    expect(set.status).toBe(200);
    const token = await issueToken(s.emu, 'DEMO-6');
    expect((await api(s.app.url, token, 'PATCH', `/api/checklists/10006/items/${ids[0]}`, { version: 1, checked: true })).status).toBe(200);

    const writes = () => s.emu.restLog.list().filter((r) => r.method === 'PUT' && r.path.startsWith('/rest/api/3/issue/'));
    const limited = await eventually(async () => writes().find((r) => r.status === 429), Boolean, 'the rate-limited property write');
    // The quota is the site's: another issue's edit during the pause is saved too, and its write waits as well.
    await addItems('DEMO-1', '10001', ['edited while Jira limits the site']);
    await eventually(() => property('DEMO-6'), (v) => (v as { done?: number }).done === 1, 'the property after the reset');
    await eventually(() => property('DEMO-1'), (v) => (v as { total?: number } | undefined)?.total === had.one + 1, 'the other issue after the reset');
    // Nothing was sent to the site before the reset the product gave (Retry-After: 3 s).
    const after = writes().filter((r) => Date.parse(r.at) > Date.parse(limited!.at));
    expect(after.map((w) => w.path.slice(0, '/rest/api/3/issue/1000x'.length)).sort()).toEqual(['/rest/api/3/issue/10001', '/rest/api/3/issue/10006']);
    for (const w of after) expect(Date.parse(w.at) - Date.parse(limited!.at), w.path).toBeGreaterThanOrEqual(3_000);
    // The job waited (deferred, not a failure) and said why.
    const deferred = s.app.output().split('\n').filter((l) => l.includes('job will be retried') && l.includes('"deferred":true'));
    expect(deferred.length).toBeGreaterThan(0);
  });
});
