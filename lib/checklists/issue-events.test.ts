import { describe, expect, it } from 'vitest';
import { ProductApiError, RateLimitDeferral, type ProductRequester } from 'atlassian-connect-next';
import { writeChecklistProperty, type RateLimitAware } from './issue-events';

/**
 * The issue property write job under Jira's rate limits: a write into a paused site is put off to
 * the reset the shared state knows without a call; a 429 is put off to the later of what it said
 * and what the state knows; either way the job is told "later", never "failed", and it is reported.
 */
const NOW = Date.parse('2026-12-03T10:15:00Z');
const RESET = Date.parse('2026-12-03T11:00:00Z');
const repo = { issueProgress: async () => ({ total: 2, done: 1, remaining: 1, complete: false }) };
const ctx = { signal: new AbortController().signal, now: () => NOW };

function requester(answer: () => Promise<never> | Promise<{ status: number }>) {
  const calls: string[] = [];
  const product = {
    clientKey: 'site-a',
    identity: { kind: 'app' },
    request: async (path: string, opts: { method?: string }) => {
      calls.push(`${opts.method} ${path}`);
      return { ...(await answer()), headers: new Headers(), body: undefined, attempts: 1 };
    },
  } as unknown as ProductRequester;
  return { product, calls };
}

function limits(pause: { until: number; limit: 'site' | 'app' | 'issue' | 'burst' } | null) {
  const deferred: unknown[] = [];
  const asked: unknown[] = [];
  const l: RateLimitAware = {
    pauseFor: async (clientKey, call) => (asked.push([clientKey, call]), pause),
    deferred: (e) => void deferred.push(e),
  };
  return { l, deferred, asked };
}

describe('writeChecklistProperty under rate limits', () => {
  it('writes when nothing is paused', async () => {
    const { product, calls } = requester(async () => ({ status: 200 }));
    expect(await writeChecklistProperty(repo, product, '10001', 'app.checklist', ctx, limits(null).l)).toBe('written');
    expect(calls).toEqual(['PUT /rest/api/3/issue/10001/properties/app.checklist']);
  });

  it('a paused site: put off to the reset, nothing sent, reported', async () => {
    const { product, calls } = requester(async () => ({ status: 200 }));
    const { l, deferred, asked } = limits({ until: RESET, limit: 'site' });
    const err = await writeChecklistProperty(repo, product, '10001', 'app.checklist', ctx, l).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitDeferral);
    expect(err).toMatchObject({ at: RESET, limit: 'site' });
    expect(calls).toEqual([]);
    expect(asked[0]).toEqual(['site-a', { method: 'PUT', path: '/rest/api/3/issue/10001/properties/app.checklist' }]);
    expect(deferred).toEqual([{ clientKey: 'site-a', issueId: '10001', limit: 'site', retryAt: RESET, reason: expect.stringContaining('rate limited (site') }]);
  });

  it("a 429: put off to the later of its Retry-After and the state's reset", async () => {
    let pause: { until: number; limit: 'site' } | null = null;
    const { product, calls } = requester(async () => {
      // The client records the pause from X-RateLimit-Reset as it answers.
      pause = { until: RESET, limit: 'site' };
      throw new ProductApiError('rate_limited', 'product answered 429', { status: 429, retryAfterMs: 30_000, limit: 'site' });
    });
    const l: RateLimitAware = { pauseFor: async () => pause };
    const err = await writeChecklistProperty(repo, product, '10001', 'app.checklist', ctx, l).catch((e: unknown) => e);
    expect(calls).toHaveLength(1);
    expect(err).toMatchObject({ name: 'RateLimitDeferral', at: RESET, limit: 'site' });
  });

  it('other failures stay failures (the queue retries them with backoff)', async () => {
    const { product } = requester(async () => {
      throw new ProductApiError('timeout', 'deadline exceeded');
    });
    const err = await writeChecklistProperty(repo, product, '10001', 'app.checklist', ctx, limits(null).l).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProductApiError);
    expect(err).not.toBeInstanceOf(RateLimitDeferral);
  });
});
