import { describe, expect, it } from 'vitest';
import { pickFault } from './faults';
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
