import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, deliver, eventually, issueToken, startEmulatedStack, type EmulatedStack } from './webhook-support';

/**
 * Acknowledged is durable: an app that records work and dies before doing it (SIGKILL, no
 * shutdown at all) does that work once it is back. The first process runs without a worker
 * (JOB_WORKER=false), so "between acknowledging and processing" is certain, not a race; the same
 * pause shows a burst of edits becoming one property write whatever the edits' pace.
 */
let s: EmulatedStack;
const PROP = 'com.example.connect-checklists.checklist';

beforeAll(async () => {
  s = await startEmulatedStack({ JOB_WORKER: 'false', ISSUE_PROPERTY_DELAY_MS: '0' });
}, 180_000);
afterAll(() => s?.stop());

describe('an app killed between acknowledging and processing', () => {
  it('loses nothing after a restart, and 20 edits are one property write', async () => {
    const q = await issueToken(s.emu, 'DEMO-7');
    expect((await api(s.app.url, q, 'POST', '/api/checklists/10007/items', { text: 'to be deleted' })).status).toBe(201);
    const p = await issueToken(s.emu, 'DEMO-1');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await api(s.app.url, p, 'POST', '/api/checklists/10001/items', { text: `step ${i}` })).json.item as { id: string }).id);
    // 15 more edits: check and uncheck, ending with 3 of 5 done.
    const versions = new Map(ids.map((id) => [id, 1]));
    const toggle = async (id: string, checked: boolean) => {
      const r = await api(s.app.url, p, 'PATCH', `/api/checklists/10001/items/${id}`, { version: versions.get(id), checked });
      expect(r.status).toBe(200);
      versions.set(id, (r.json.item as { version: number }).version);
    };
    for (const id of ids) await toggle(id, true);
    for (const id of ids) await toggle(id, false);
    for (const id of ids.slice(0, 3)) await toggle(id, true);
    const delivered = await deliver(s.app.url, s.site, '/webhooks/issue-deleted?issueId=10007');
    expect(delivered.status).toBe(204);
    expect(s.emu.issues.store.writes).toEqual([]);

    await s.app.kill();
    await s.restart({ JOB_WORKER: 'true' });

    await eventually(async () => (await api(s.app.url, q, 'GET', '/api/checklists/10007')).json.items as unknown[], (items) => items.length === 0, 'the deletion recorded before the kill');
    await eventually(async () => s.emu.issues.store.writes.filter((w) => w.issueId === '10001').length, (n) => n >= 1, 'the property write');
    expect(s.emu.issues.store.writes.filter((w) => w.issueId === '10001')).toEqual([
      expect.objectContaining({ key: PROP, value: { total: 5, done: 3, remaining: 2, complete: false } }),
    ]);
    await eventually(async () => s.app.output().includes(`"delivery":"${delivered.id}"`), Boolean, 'the deletion in the new process log');
  });
});
