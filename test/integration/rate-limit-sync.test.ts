import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, issueToken, startEmulatedStack, type EmulatedStack } from './webhook-support';

/**
 * Issue 15, "the state is visible", against the built app with the product emulator as Jira:
 * the checklist API's answers say where Jira's copy stands (`sync`), the issue property write
 * waits for the rate limit's reset as the shared state knows it (deferred, never a failure), the
 * app logs why and counts it, and after the reset everything lands with no change lost. Waits
 * are on what the app does, never on a time.
 */
let s: EmulatedStack;
const PROP = 'com.example.connect-checklists.checklist';
const METRICS_TOKEN = 'rate-limit-sync-metrics-token-0123456789';

type Sync = { state: 'synced' } | { state: 'pending' } | { state: 'limited'; until: string; limit: string; pending: boolean };

beforeAll(async () => {
  s = await startEmulatedStack({ ISSUE_PROPERTY_DELAY_MS: '300', JOB_POLL_INTERVAL_MS: '200', METRICS_TOKEN });
}, 180_000);
afterAll(() => s?.stop());
// A failed test must not leave the next one limited.
afterEach(async () => void (await fetch(`${s.emu.url}/_emu/api/faults`, { method: 'DELETE' })));

const control = (path: string, method: string, body?: unknown) =>
  fetch(`${s.emu.url}/_emu/api/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const property = async (issue: string) => ((await (await fetch(`${s.emu.url}/_emu/ext/issues/properties?issue=${issue}`)).json()) as { properties: Record<string, unknown> }).properties[PROP];
const read = async (issue: string, issueId: string) => {
  const r = await api(s.app.url, await issueToken(s.emu, issue), 'GET', `/api/checklists/${issueId}?projectKey=DEMO`);
  expect(r.status).toBe(200);
  return r.json as { items: { id: string; version: number; checked: boolean }[]; sync: Sync };
};
const metric = async (name: string) => {
  const text = await (await fetch(`${s.app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return text.split('\n').find((l) => l.startsWith(name))?.split(' ').at(-1);
};

describe('the sync state in the checklist API', () => {
  it('synced → pending after an edit → limited while the site quota holds (edits still saved) → synced after the reset, with nothing lost', async () => {
    const token = await issueToken(s.emu, 'DEMO-2');
    const created = await api(s.app.url, token, 'POST', '/api/checklists/10002/items', { text: 'first' });
    expect(created.status).toBe(201);
    // Just saved: the property write waits its coalescing delay.
    expect((created.json.sync as Sync).state).toBe('pending');
    await eventually(() => property('DEMO-2'), (v) => (v as { total?: number } | undefined)?.total === 1, 'the first property');
    await eventually(() => read('DEMO-2', '10002'), (r) => r.sync.state === 'synced', 'synced');

    expect((await control('faults', 'POST', { rateLimit: { reason: 'jira-quota-tenant-based', retryAfterSeconds: 2 } })).status).toBe(200);
    const id = (created.json.item as { id: string }).id;
    const checked = await api(s.app.url, token, 'PATCH', `/api/checklists/10002/items/${id}`, { version: 1, checked: true });
    expect(checked.status).toBe(200);
    expect((checked.json.item as { checked: boolean }).checked).toBe(true);

    // The write met the quota: the answers now say so, for as long as it holds.
    const limited = await eventually(() => read('DEMO-2', '10002'), (r) => r.sync.state === 'limited', 'the limited state');
    expect(limited.sync).toMatchObject({ state: 'limited', limit: 'site', pending: true });
    expect(Number.isNaN(Date.parse((limited.sync as { until: string }).until))).toBe(false);
    // A write while limited is saved and answers the state too.
    const added = await api(s.app.url, token, 'POST', '/api/checklists/10002/items', { text: 'second, while limited' });
    expect(added.status).toBe(201);
    // (Pending for the instant a put-off write is on its way to Jira again, between two refusals.)
    expect(['limited', 'pending']).toContain((added.json.sync as Sync).state);
    await eventually(() => read('DEMO-2', '10002'), (r) => r.sync.state === 'limited' && r.sync.pending, 'limited again');
    expect((await read('DEMO-2', '10002')).items).toHaveLength(2);
    expect(await property('DEMO-2')).toMatchObject({ total: 1, done: 0 });

    // The app says why it waits, and counts it.
    await eventually(async () => s.app.output().split('\n').filter((l) => l.includes('issue property write deferred') && l.includes('"limit":"site"') && l.includes('"issueId":"10002"')).length, (n) => n > 0, 'the deferral log line');
    expect(Number(await metric('app_jobs_rate_limit_deferrals_total{queue="issue-property",limit="site"}'))).toBeGreaterThan(0);

    expect((await control('faults', 'DELETE')).status).toBe(200);
    await eventually(() => property('DEMO-2'), (v) => JSON.stringify(v) === JSON.stringify({ total: 2, done: 1, remaining: 1, complete: false }), 'the property after the reset');
    await eventually(() => read('DEMO-2', '10002'), (r) => r.sync.state === 'synced', 'synced after the reset');
  });

  it("the emulator's own site quota: the answer's reset is the one Jira gave (the top of the UTC hour), and the write waits for it", async () => {
    // Last in this file: the site stays limited until the top of the hour afterwards.
    // The quota is per UTC hour: a test that straddled the turn of the hour would meet a fresh quota.
    const window = async () => ((await (await control('rate-limits', 'GET')).json()) as { window: { reset: string; resetInSeconds: number } }).window;
    const left = (await window()).resetInSeconds;
    if (left < 90) await new Promise((r) => setTimeout(r, (left + 1) * 1000));
    const token = await issueToken(s.emu, 'DEMO-3');
    expect((await api(s.app.url, token, 'POST', '/api/checklists/10003/items', { text: 'before' })).status).toBe(201);
    await eventually(() => property('DEMO-3'), (v) => (v as { total?: number } | undefined)?.total === 1, 'the property of DEMO-3');
    // Spent: the site has used at least a point this hour (that write).
    expect((await control('rate-limits', 'POST', { quota: { scope: 'site', pointsPerHour: 1 } })).status).toBe(200);
    const windowReset = (await window()).reset;

    expect((await api(s.app.url, token, 'POST', '/api/checklists/10003/items', { text: 'during' })).status).toBe(201);
    const limited = await eventually(() => read('DEMO-3', '10003'), (r) => r.sync.state === 'limited', 'the limited state');
    expect(limited.sync).toMatchObject({ state: 'limited', limit: 'site', pending: true });
    // The later of X-RateLimit-Reset and Retry-After (whole seconds, rounded up by the product).
    const until = Date.parse((limited.sync as { until: string }).until);
    expect(until).toBeGreaterThanOrEqual(Date.parse(windowReset));
    expect(until).toBeLessThanOrEqual(Date.parse(windowReset) + 1_000);
    // The write itself was put off to that reset, not sooner.
    const line = await eventually(async () => s.app.output().split('\n').find((l) => l.includes('issue property write deferred') && l.includes('"issueId":"10003"')), Boolean, 'the deferral of DEMO-3');
    const retryAt = Date.parse((JSON.parse(line!) as { retryAt: string }).retryAt);
    expect(retryAt).toBeGreaterThanOrEqual(Date.parse(windowReset));
    expect(retryAt).toBeLessThanOrEqual(Date.parse(windowReset) + 1_000);
    // Every other issue of the site says so too (nothing of theirs waits).
    expect((await read('DEMO-1', '10001')).sync).toMatchObject({ state: 'limited', limit: 'site', pending: false });
    // The refused write was the only one: nothing else was sent into the paused site.
    const ledger = (await (await control('rate-limits', 'GET')).json()) as { sites: { clientKey: string; refused: number }[] };
    expect(ledger.sites.find((x) => x.clientKey === s.site.clientKey)?.refused).toBe(1);
    expect(await property('DEMO-3')).toMatchObject({ total: 1 });
  });
});
