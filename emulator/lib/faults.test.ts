import { describe, expect, it } from 'vitest';
import { parseRateLimitFault, pickFault, pickRateLimitFault } from './faults';
import { NO_FAULTS } from './state';

describe('fault selection', () => {
  it('fails exactly the next N calls, then recovers', () => {
    const f = { ...NO_FAULTS, failNext: 2, failNextKind: '429' as const };
    expect([pickFault(f, '/rest/x'), pickFault(f, '/rest/x'), pickFault(f, '/rest/x')]).toEqual(['429', '429', undefined]);
  });

  it('only touches paths under the prefix', () => {
    const f = { ...NO_FAULTS, refuse: true, pathPrefix: '/rest/api/3/issue' };
    expect(pickFault(f, '/rest/api/3/myself')).toBeUndefined();
    expect(pickFault(f, '/rest/api/3/issue/DEMO-1')).toBe('refuse');
  });

  it('applies the error and rate-limit shares', () => {
    const f = { ...NO_FAULTS, errorRate: 0.5, rateLimitRate: 0.5 };
    expect(pickFault(f, '/', () => 0.4)).toBe('503');
    expect(pickFault(f, '/', () => 0.6)).toBeUndefined();
    expect(pickFault({ ...NO_FAULTS, rateLimitRate: 1 }, '/', () => 0.99)).toBe('429');
    expect(pickFault(NO_FAULTS, '/', () => 0)).toBeUndefined();
  });
});

describe('rate-limit faults', () => {
  it('reads a rate-limit fault with defaults and refuses a reason Jira does not send', () => {
    expect(parseRateLimitFault({ reason: 'jira-burst-based' })).toEqual({ reason: 'jira-burst-based', retryAfterSeconds: 2, path: '', times: null });
    expect(parseRateLimitFault(null)).toBeNull();
    expect(parseRateLimitFault(undefined)).toBeUndefined();
    expect(() => parseRateLimitFault({ reason: 'too-many' })).toThrow(/RateLimit-Reason/);
  });

  it('hits matching paths only, counts down and then clears itself', () => {
    const f = { ...NO_FAULTS, rateLimit: parseRateLimitFault({ reason: 'jira-quota-tenant-based', path: '/rest/api/3/issue', times: 2 }) ?? null };
    expect(pickRateLimitFault(f, '/rest/api/3/myself')).toBeUndefined();
    expect(pickRateLimitFault(f, '/rest/api/3/issue/DEMO-1')).toEqual({ reason: 'jira-quota-tenant-based', retryAfterSeconds: 2, limit: 65_000 });
    expect(pickRateLimitFault(f, '/rest/api/3/issue/DEMO-1')?.reason).toBe('jira-quota-tenant-based');
    expect(pickRateLimitFault(f, '/rest/api/3/issue/DEMO-1')).toBeUndefined();
    expect(f.rateLimit).toBeNull();
  });
});
