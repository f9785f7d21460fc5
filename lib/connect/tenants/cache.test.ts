import { describe, expect, it } from 'vitest';
import { QUIET_MS, TenantCache } from './cache';
import type { Tenant, TenantStore } from './types';

function store(): TenantStore & { reads: number; secret: string } {
  const s = {
    reads: 0,
    secret: 'one',
    async find(clientKey: string) {
      s.reads++;
      return { clientKey, sharedSecret: s.secret } as Tenant;
    },
    upsertInstall: async () => ({}) as Tenant,
    markUninstalled: async () => true,
    setEnabled: async () => true,
    touch: async () => undefined,
    recordLifecycle: async () => undefined,
  };
  return s;
}

describe('TenantCache', () => {
  it('serves from memory within the TTL, and reads again once it has passed', async () => {
    const s = store();
    let t = 1_000_000;
    const c = new TenantCache(s, 60_000, undefined, () => t);
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

  it('bad signatures cannot turn into a flood of reads: concurrent re-reads share one, fruitless ones go quiet', async () => {
    const s = store();
    let t = 1_000_000;
    const c = new TenantCache(s, 60_000, undefined, () => t);
    await c.get('a');
    await Promise.all(Array.from({ length: 20 }, () => c.refresh('a')));
    expect(s.reads).toBe(2);
    for (let i = 0; i < 20; i++) await c.refresh('a');
    t += QUIET_MS - 1;
    await c.refresh('a');
    expect(s.reads).toBe(2);
    t += 1;
    await c.refresh('a');
    expect(s.reads).toBe(3);
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
