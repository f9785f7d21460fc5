import { describe, expect, it } from 'vitest';
import { ConnectError } from '../errors';
import type { RequestContext } from '../auth';
import type { JobQueue } from '../jobs/queue';
import { createWebhookReceiver } from './receiver';
import { WebhookPayloadError, webhookModules, type WebhookSubscription } from './subscription';

/** The request side of webhooks, with the queue replaced by a recorder (the SQL side has its own tests). */

const deleted: WebhookSubscription<{ issueId: string }> = {
  name: 'issue-deleted',
  event: 'jira:issue_deleted',
  excludeBody: true,
  query: { issueId: '${issue.id}' },
  parse: ({ query }) => {
    const id = query.get('issueId');
    if (!id || !/^\d+$/.test(id)) throw new WebhookPayloadError('issueId');
    return { issueId: id };
  },
};
const updated: WebhookSubscription<{ at: number }> = {
  name: 'issue-updated',
  event: 'jira:issue_updated',
  parse: ({ body }) => {
    const b = body as { timestamp?: unknown; moved?: boolean };
    if (typeof b?.timestamp !== 'number') throw new WebhookPayloadError('timestamp');
    return b.moved ? { at: b.timestamp } : null;
  },
};

function setup(maxBodyBytes?: number) {
  const enqueued: { queue: string; o: { clientKey: string; payload: unknown; dedupeKey?: string } }[] = [];
  const seen = new Set<string>();
  const queue = {
    enqueue: async (q: string, o: { clientKey: string; payload: unknown; dedupeKey?: string }) => {
      enqueued.push({ queue: q, o });
      const dup = seen.has(o.dedupeKey!);
      seen.add(o.dedupeKey!);
      return { id: dup ? null : String(enqueued.length), outcome: dup ? ('duplicate' as const) : ('created' as const) };
    },
  } as unknown as Pick<JobQueue, 'enqueue'>;
  const outcomes: string[] = [];
  const { receive } = createWebhookReceiver({ subscriptions: [deleted, updated], queue, maxBodyBytes, now: () => 1_000, onDelivery: (d) => outcomes.push(`${d.webhook}:${d.outcome}:${d.retry}`) });
  const ctx = { clientKey: 'site-1' } as RequestContext;
  const call = (name: string, init: RequestInit & { query?: string } = {}) =>
    receive(new Request(`https://app.example.com/webhooks/${name}${init.query ?? ''}`, { method: 'POST', ...init }), ctx, { params: Promise.resolve({ name }) });
  return { enqueued, outcomes, call };
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof ConnectError ? err.code : String(err);
  }
};

describe('webhook receiver', () => {
  it('records a delivery under its identifier and answers 204; a repeat is acknowledged, not recorded again', async () => {
    const { enqueued, outcomes, call } = setup();
    const headers = { 'x-atlassian-webhook-identifier': 'abc-123' };
    expect((await call('issue-deleted', { query: '?issueId=10001', headers })).status).toBe(204);
    expect((await call('issue-deleted', { query: '?issueId=10001', headers: { ...headers, 'x-atlassian-webhook-retry': '2' } })).status).toBe(204);
    expect(enqueued[0]).toEqual({
      queue: 'webhook',
      o: { clientKey: 'site-1', dedupeKey: 'webhook:abc-123', payload: { name: 'issue-deleted', event: 'jira:issue_deleted', data: { issueId: '10001' }, delivery: { id: 'abc-123', retry: 0, receivedAt: 1_000 } } },
    });
    expect(outcomes).toEqual(['issue-deleted:recorded:0', 'issue-deleted:duplicate:2']);
  });

  it('without an identifier, the same bytes are the same delivery', async () => {
    const { enqueued, call } = setup();
    const body = JSON.stringify({ timestamp: 5, moved: true });
    await call('issue-updated', { body });
    await call('issue-updated', { body });
    await call('issue-updated', { body: JSON.stringify({ timestamp: 6, moved: true }) });
    const keys = enqueued.map((e) => e.o.dedupeKey);
    expect(keys[0]).toMatch(/^webhook:sha256:[0-9a-f]{64}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('a delivery that needs no work is acknowledged without recording anything', async () => {
    const { enqueued, outcomes, call } = setup();
    expect((await call('issue-updated', { body: JSON.stringify({ timestamp: 5, moved: false }) })).status).toBe(204);
    expect(enqueued).toEqual([]);
    expect(outcomes).toEqual(['issue-updated:ignored:0']);
  });

  it('refuses malformed deliveries with 400, unknown webhooks with 404, and records nothing', async () => {
    const { enqueued, call } = setup();
    expect(await code(call('issue-updated', { body: '{"timestamp":' }))).toBe('BAD_REQUEST');
    expect(await code(call('issue-updated', { body: '{"timestamp":"soon"}' }))).toBe('BAD_REQUEST');
    expect(await code(call('issue-deleted', { query: '?issueId=x' }))).toBe('BAD_REQUEST');
    expect(await code(call('issue-deleted', { query: '?issueId=1', headers: { 'x-atlassian-webhook-identifier': 'bad id with spaces' } }))).toBe('BAD_REQUEST');
    expect(await code(call('issue-archived'))).toBe('NOT_FOUND');
    expect(enqueued).toEqual([]);
  });

  it('stops reading a body past the limit, also when it is chunked (no Content-Length)', async () => {
    const { enqueued, call } = setup(1024);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(512).fill(32));
        if (pulled > 1000) c.close();
      },
    });
    expect(await code(call('issue-updated', { body: stream, duplex: 'half' } as RequestInit))).toBe('PAYLOAD_TOO_LARGE');
    expect(pulled).toBeLessThan(10);
    expect(await code(call('issue-updated', { body: 'x'.repeat(2048) }))).toBe('PAYLOAD_TOO_LARGE');
    expect(enqueued).toEqual([]);
  });
});

describe('webhook modules', () => {
  it('become descriptor entries with product variables left for the product to fill', () => {
    expect(webhookModules([deleted, { ...updated, filter: 'project = DEMO' }])).toEqual([
      { event: 'jira:issue_deleted', url: '/webhooks/issue-deleted?issueId=${issue.id}', excludeBody: true },
      { event: 'jira:issue_updated', url: '/webhooks/issue-updated', filter: 'project = DEMO' },
    ]);
  });

  it('refuse names that are not one URL segment, or used twice', () => {
    expect(() => webhookModules([{ ...deleted, name: 'a/b' }])).toThrow(/must match/);
    expect(() => webhookModules([deleted, deleted])).toThrow(/used twice/);
  });
});
