import { describe, expect, it } from 'vitest';
import { QUIET_MS, TenantCache, type TenantSource } from './cache';
import type { Tenant } from './types';

function store(): TenantSource & { reads: number; secret: string } {
  const s = {
    reads: 0,
    secret: 'one',
    async find(clientKey: string) {
      s.reads++;
      return { clientKey, sharedSecret: s.secret } as Tenant;
    },
  };
  return s;
}

describe('TenantCache', () => {
  it('serves from memory within the TTL, and reads again once it has passed', async () => {
    const s = store();
    let t = 1_000_000;
    const c = new TenantCache(s, { ttlMs: 60_000, now: () => t });
    await c.get('a');
    t += 60_000 - 1;
    await c.get('a');
    expect(s.reads).toBe(1);
    t += 1;
    await c.get('a');
    expect(s.reads).toBe(2);
  });

  it('a re-read right after a load picks up a rotated secret at once', async () => {
    const s = store();
    const c = new TenantCache(s, 60_000);
    expect((await c.get('a'))!.tenant.sharedSecret).toBe('one');
    s.secret = 'two';
    expect((await c.refresh('a'))!.tenant.sharedSecret).toBe('two');
    expect((await c.get('a'))!.tenant.sharedSecret).toBe('two');
  });

  it('bad signatures cannot turn into a flood of reads: at most one re-read per QUIET_MS per tenant, shared by its callers', async () => {
    const s = store();
    let t = 1_000_000;
    const slept: number[] = [];
    const c = new TenantCache(s, {
      ttlMs: 60_000,
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    });
    await c.get('a');
    // Twenty at once: one read now, the other nineteen share one read after it (and after its quiet window).
    const all = await Promise.all(Array.from({ length: 20 }, () => c.refresh('a')));
    expect(all.every((r) => r?.tenant.sharedSecret === 'one')).toBe(true);
    expect(s.reads).toBe(3);
    expect(slept).toEqual([QUIET_MS]);
    // One after another, each waits out the quiet window of the last: reads never outpace the clock.
    const start = t;
    for (let i = 0; i < 20; i++) await c.refresh('a');
    expect(s.reads).toBe(23);
    expect(t - start).toBeGreaterThanOrEqual(20 * QUIET_MS);
    expect(slept.every((ms) => ms > 0 && ms <= QUIET_MS)).toBe(true);
  });

  it('a re-read asked while a read is in flight answers from a read that started after it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = store();
    const slow: TenantSource = {
      async find(clientKey) {
        const secretAtStart = s.secret;
        if (s.reads === 0) await gate;
        s.reads++;
        return { clientKey, sharedSecret: secretAtStart } as Tenant;
      },
    };
    const c = new TenantCache(slow, { ttlMs: 60_000 });
    const first = c.get('a'); // a read that started before the rotation
    s.secret = 'two'; // stored by another instance meanwhile
    const refreshed = c.refresh('a'); // a signature with the new secret failed against what is cached
    release();
    expect((await first)!.tenant.sharedSecret).toBe('one');
    expect((await refreshed)!.tenant.sharedSecret).toBe('two');
  });

  it('a secret stored during the quiet window is seen by the next re-read (it waits, it does not answer stale)', async () => {
    const s = store();
    let t = 1_000_000;
    const c = new TenantCache(s, { ttlMs: 60_000, now: () => t, sleep: async (ms) => void (t += ms) });
    await c.get('a');
    expect((await c.refresh('a'))!.tenant.sharedSecret).toBe('one'); // fruitless: quiet now
    await new Promise((r) => setImmediate(r));
    s.secret = 'two';
    expect((await c.refresh('a'))!.tenant.sharedSecret).toBe('two');
  });

  it('invalidate forgets an entry', async () => {
    const s = store();
    const c = new TenantCache(s, 60_000);
    await c.get('a');
    c.invalidate('a');
    await c.get('a');
    expect(s.reads).toBe(2);
  });
});

describe('TenantCache under tokens with random issuers', () => {
  function directory(known: string[]) {
    const s = {
      reads: 0,
      async find(clientKey: string) {
        s.reads++;
        return known.includes(clientKey) ? ({ clientKey, sharedSecret: 'x' } as Tenant) : null;
      },
    };
    return s;
  }

  it('remembers an unknown clientKey: a repeated random iss reads the store once', async () => {
    const s = directory([]);
    const c = new TenantCache(s, { ttlMs: 60_000 });
    for (let i = 0; i < 5; i++) expect(await c.get('random-1')).toBeNull();
    expect(s.reads).toBe(1);
  });

  it('never lets unknown keys push a known tenant out', async () => {
    const s = directory(['real']);
    const c = new TenantCache(s, { ttlMs: 60_000, maxTenants: 2, maxUnknown: 10 });
    expect(await c.get('real')).not.toBeNull();
    for (let i = 0; i < 100; i++) await c.get(`random-${i}`);
    const before = s.reads;
    expect(await c.get('real')).not.toBeNull();
    expect(s.reads).toBe(before);
    expect(c.size()).toEqual({ tenants: 1, unknown: 10 });
  });

  it('forgets an unknown key when the tenant is installed (invalidate), and after the TTL', async () => {
    const known: string[] = [];
    const s = directory(known);
    let now = 1_000_000;
    const c = new TenantCache(s, { ttlMs: 10_000, now: () => now });
    expect(await c.get('soon')).toBeNull();
    known.push('soon');
    expect(await c.get('soon')).toBeNull(); // remembered as unknown
    c.invalidate('soon');
    expect(await c.get('soon')).not.toBeNull();
    expect(await c.get('later')).toBeNull();
    known.push('later');
    now += 10_001;
    expect(await c.get('later')).not.toBeNull();
  });
});
