import { afterEach, describe, expect, it } from 'vitest';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf } from '../testing';
import { fastClient } from '../testing/product-client';
import { retryReason } from './pipeline';
import type { ProductObserver } from './types';

/** The client reports every attempt and every wait before a retry to its observer (metrics). */
const fakes: FakeProduct[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function setup() {
  const site = new FakeProduct(newFakeSite());
  await site.start();
  fakes.push(site);
  const dir = new TenantDirectory();
  dir.put(tenantOf(site));
  const attempts: { method: string; status?: number; error?: string }[] = [];
  const waits: { reason: string; status: number }[] = [];
  const observer: ProductObserver = {
    attempt: ({ method, status, error }) => attempts.push({ method, ...(status !== undefined ? { status } : {}), ...(error ? { error } : {}) }),
    retryWait: ({ reason, status }) => waits.push({ reason, status }),
  };
  return { site, client: fastClient(dir, site, { observer }), ck: site.site.clientKey, attempts, waits };
}

describe('the product observer', () => {
  it("sees each attempt's status and each wait with the product's RateLimit-Reason", async () => {
    const { site, client, ck, attempts, waits } = await setup();
    site.inject({ status: 429, retryAfter: '0', headers: { 'ratelimit-reason': 'jira-burst-based' }, times: 1 });
    site.inject({ status: 503, times: 1 });
    await client.asApp(ck).get('/rest/test/echo');
    expect(attempts).toEqual([
      { method: 'GET', status: 429 },
      { method: 'GET', status: 503 },
      { method: 'GET', status: 200 },
    ]);
    expect(waits).toEqual([
      { reason: 'jira-burst-based', status: 429 },
      { reason: 'status-503', status: 503 },
    ]);
  });

  it('sees a failure without an answer as its kind', async () => {
    const { site, client, ck, attempts } = await setup();
    site.inject({ drop: true, times: 1 });
    await client.asApp(ck).put('/rest/test/echo', {}, { retry: false }).catch(() => undefined);
    expect(attempts).toEqual([{ method: 'PUT', error: 'network' }]);
  });
});

describe('retryReason', () => {
  it("keeps Atlassian's short tokens and bounds anything else", () => {
    expect(retryReason(429, 'jira-quota-tenant-based')).toBe('jira-quota-tenant-based');
    expect(retryReason(429, ' Jira-Per-Issue-On-Write ')).toBe('jira-per-issue-on-write');
    expect(retryReason(429, null)).toBe('status-429');
    expect(retryReason(429, 'x'.repeat(49))).toBe('other');
    expect(retryReason(429, 'reason with spaces')).toBe('other');
    expect(retryReason(429, 'a{b="c"}')).toBe('other');
  });
});
