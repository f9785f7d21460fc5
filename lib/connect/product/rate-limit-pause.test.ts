import { afterEach, describe, expect, it } from 'vitest';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf } from '../testing';
import { fastClient } from '../testing/product-client';
import { ProductApiError } from './errors';
import { MemoryRateLimitState } from './rate-limits';

/**
 * ProductClient.rateLimitPause: what the shared rate-limit state says about a site (or one call)
 * now, learnt from the product's 429s; the app's pages and jobs read it instead of calling Jira.
 */
const T0 = Math.floor(Date.now() / 1000) * 1000;
const fakes: FakeProduct[] = [];
afterEach(async () => void (await Promise.all(fakes.splice(0).map((f) => f.stop()))));

async function setup() {
  let t = T0;
  const now = () => t;
  const dir = new TenantDirectory();
  const [a, b] = [new FakeProduct(newFakeSite(), now), new FakeProduct(newFakeSite(), now)];
  for (const f of [a, b]) {
    await f.start();
    fakes.push(f);
    dir.put(tenantOf(f));
  }
  const product = fastClient(dir, a, { now, timeoutMs: 5_000, retry: { maxRetries: 0 }, rateLimits: new MemoryRateLimitState() });
  return { a, b, product, advance: (ms: number) => (t += ms) };
}

const limit429 = (reason: string, retryAfter: string, extra: Record<string, string> = {}, pathPrefix?: string) => ({
  status: 429,
  retryAfter,
  headers: { 'ratelimit-reason': reason, ...extra },
  times: 1,
  ...(pathPrefix ? { pathPrefix } : {}),
});

describe('ProductClient.rateLimitPause', () => {
  it("knows a site's quota pause until its reset (the later of Retry-After and X-RateLimit-Reset), for that site only", async () => {
    const { a, b, product, advance } = await setup();
    const ck = a.site.clientKey;
    expect(await product.rateLimitPause(ck)).toBeNull();
    a.inject(limit429('jira-quota-tenant-based', '60', { 'x-ratelimit-reset': new Date(T0 + 1_800_000).toISOString() }));
    await expect(product.asApp(ck).get('/rest/test/echo')).rejects.toBeInstanceOf(ProductApiError);

    expect(await product.rateLimitPause(ck)).toEqual({ limit: 'site', until: T0 + 1_800_000, reason: 'jira-quota-tenant-based' });
    expect(await product.rateLimitPause(b.site.clientKey)).toBeNull();
    advance(1_800_000);
    expect(await product.rateLimitPause(ck)).toBeNull();
  });

  it('the app-wide pool pauses every site', async () => {
    const { a, b, product } = await setup();
    a.inject(limit429('jira-quota-global-based', '120'));
    await expect(product.asApp(a.site.clientKey).get('/rest/test/echo')).rejects.toBeInstanceOf(ProductApiError);
    expect(await product.rateLimitPause(b.site.clientKey)).toEqual({ limit: 'app', until: T0 + 120_000, reason: 'jira-quota-global-based' });
  });

  it("an endpoint's or an issue's pause is not the site's, but counts for a call in its scope", async () => {
    const { a, product } = await setup();
    const ck = a.site.clientKey;
    const path = '/rest/api/3/issue/10001/properties/p';
    a.inject(limit429('jira-per-issue-on-write', '10', {}, '/rest/api/3/issue/10001'));
    await expect(product.asApp(ck).put(path, { v: 1 })).rejects.toMatchObject({ kind: 'rate_limited', limit: 'issue' });

    expect(await product.rateLimitPause(ck)).toBeNull();
    expect(await product.rateLimitPause(ck, { method: 'PUT', path })).toEqual({ limit: 'issue', until: T0 + 10_000, reason: 'jira-per-issue-on-write' });
    expect(await product.rateLimitPause(ck, { method: 'PUT', path: '/rest/api/3/issue/10002/properties/p' })).toBeNull();
    expect(await product.rateLimitPause(ck, { method: 'GET', path: '/rest/api/3/issue/10001' })).toBeNull();
  });
});
