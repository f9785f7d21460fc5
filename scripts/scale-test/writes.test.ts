import { describe, expect, it } from 'vitest';
import type { LbLogEntry } from './haproxy';
import { compareWrites } from './writes';

const w = (text: string, acknowledged: boolean, requestIds = [`write-${text}`]) => ({ text, issueId: '1', acknowledged, requestIds });
const logged = (id: string, retries: number): LbLogEntry => ({ at: 1, id, server: 'app1', status: 201, termination: '----', retries, redispatched: retries > 0, totalMs: 5, method: 'POST', path: '/x' });

describe('compareWrites', () => {
  it('counts acknowledged writes found and writes stored without acknowledgement', () => {
    const writes = [w('a', true), w('b', true), w('c', false), w('d', false)];
    expect(compareWrites(writes, new Map([['a', 1], ['c', 1]]))).toEqual({
      attempted: 4,
      acknowledged: 2,
      acknowledgedFound: 1,
      missing: ['b'],
      duplicateRows: 0,
      duplicates: { resentByLoadBalancer: 0, resentByClient: 0, unexplained: 0 },
      unacknowledgedFound: 1,
    });
  });

  it('says who sent a duplicated write again: HAProxy, the client, or nobody known', () => {
    const writes = [w('lb', true), w('client', true, ['write-7', 'write-7-retry']), w('none', true)];
    const stored = new Map([['lb', 2], ['client', 2], ['none', 3]]);
    const check = compareWrites(writes, stored, [logged('write-lb', 1), logged('write-7', 0)]);
    expect(check.duplicateRows).toBe(4);
    expect(check.duplicates).toEqual({ resentByLoadBalancer: 1, resentByClient: 1, unexplained: 2 });
  });
});
