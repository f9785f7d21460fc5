import { describe, expect, it } from 'vitest';
import { ChecklistReadCache } from './read-cache';

/** A load the test finishes when it wants: a read that races a change. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function counting<T>(value: () => T) {
  let calls = 0;
  return {
    load: async () => {
      calls++;
      return value();
    },
    calls: () => calls,
  };
}

const live = (o: ConstructorParameters<typeof ChecklistReadCache>[0] = {}) => {
  const c = new ChecklistReadCache(o);
  c.listening(true);
  return c;
};

describe('ChecklistReadCache', () => {
  it('keeps nothing until announcements are received: every read loads', async () => {
    const c = new ChecklistReadCache();
    const l = counting(() => ['a']);
    await c.read('site', '1', 'items', l.load);
    await c.read('site', '1', 'items', l.load);
    expect(l.calls()).toBe(2);
  });

  it('answers a repeated read from memory, per site, issue and part', async () => {
    const c = live();
    const items = counting(() => ['a']);
    const state = counting(() => ({ projectKey: 'P' }));
    expect(await c.read('site', '1', 'items', items.load)).toEqual(['a']);
    expect(await c.read('site', '1', 'items', items.load)).toEqual(['a']);
    expect(await c.read('site', '1', 'state', state.load)).toEqual({ projectKey: 'P' });
    await c.read('site', '2', 'items', items.load);
    await c.read('other', '1', 'items', items.load);
    expect(items.calls()).toBe(3);
    expect(state.calls()).toBe(1);
  });

  it('a change of the issue (own write or announced) drops both parts of that issue only', async () => {
    const c = live();
    const l = counting(() => 'v');
    const readAll = async () => {
      for (const [site, issue] of [['site', '1'], ['site', '2']] as const) for (const part of ['items', 'state'] as const) await c.read(site, issue, part, l.load);
    };
    await readAll();
    expect(l.calls()).toBe(4);
    c.changed('site', '1');
    await readAll();
    expect(l.calls()).toBe(6);
    c.announced('site\u00012');
    await readAll();
    expect(l.calls()).toBe(8);
  });

  it('`*` drops every issue of that site and no other; a payload of another shape drops everything', async () => {
    const c = live();
    const l = counting(() => 'v');
    const keys = [['a', '1'], ['a', '2'], ['b', '1']] as const;
    const readAll = async () => {
      for (const [site, issue] of keys) await c.read(site, issue, 'items', l.load);
    };
    await readAll();
    c.announced('a\u0001*');
    await readAll();
    expect(l.calls()).toBe(5);
    c.announced('garbage');
    await readAll();
    expect(l.calls()).toBe(8);
  });

  it("the job queue's announcement of an issue's writes drops only its writes; an unknown part drops everything", async () => {
    const c = live();
    const l = counting(() => 'v');
    const parts = ['items', 'state', 'writes'] as const;
    const readAll = async () => {
      for (const [site, issue] of [['a', '1'], ['a', '2'], ['b', '1']] as const) for (const part of parts) await c.read(site, issue, part, l.load);
    };
    await readAll();
    expect(l.calls()).toBe(9);
    c.announced('a\u00011\u0001writes');
    await readAll();
    expect(l.calls()).toBe(10);
    c.changed('a', '2', ['writes']);
    await readAll();
    expect(l.calls()).toBe(11);
    // Every issue of site a, its writes only.
    c.announced('a\u0001*\u0001writes');
    await readAll();
    expect(l.calls()).toBe(13);
    c.announced('a\u00011\u0001colour');
    await readAll();
    expect(l.calls()).toBe(22);
    c.announced('a\u00011\u0001writes\u0001more');
    await readAll();
    expect(l.calls()).toBe(31);
  });

  it('a read that began before a change is answered but not kept', async () => {
    const c = live();
    const first = deferred<string>();
    const reading = c.read('site', '1', 'items', () => first.promise);
    c.changed('site', '1');
    first.resolve('old');
    expect(await reading).toBe('old');
    const l = counting(() => 'new');
    expect(await c.read('site', '1', 'items', l.load)).toBe('new');
    expect(l.calls()).toBe(1);
  });

  it('concurrent misses share one load; a read after a change does not join the stale one', async () => {
    const c = live();
    const first = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return loads === 1 ? first.promise : Promise.resolve('new');
    };
    const a = c.read('site', '1', 'items', load);
    const b = c.read('site', '1', 'items', load);
    expect(loads).toBe(1);
    c.announced('site\u00011');
    const after = c.read('site', '1', 'items', load);
    expect(loads).toBe(2);
    first.resolve('old');
    expect(await Promise.all([a, b, after])).toEqual(['old', 'old', 'new']);
    expect(await c.read('site', '1', 'items', load)).toBe('new');
    expect(loads).toBe(2);
  });

  it('losing the announcements drops everything and bypasses the cache until they are back', async () => {
    const c = live();
    const l = counting(() => 'v');
    await c.read('site', '1', 'items', l.load);
    c.listening(false);
    await c.read('site', '1', 'items', l.load);
    await c.read('site', '1', 'items', l.load);
    expect(l.calls()).toBe(3);
    c.listening(true);
    await c.read('site', '1', 'items', l.load);
    await c.read('site', '1', 'items', l.load);
    expect(l.calls()).toBe(4);
  });

  it('a load in flight when the announcements stop is not kept', async () => {
    const c = live();
    const first = deferred<string>();
    const reading = c.read('site', '1', 'items', () => first.promise);
    c.listening(false);
    c.listening(true);
    first.resolve('maybe stale');
    await reading;
    const l = counting(() => 'fresh');
    expect(await c.read('site', '1', 'items', l.load)).toBe('fresh');
  });

  it('entries expire after the TTL (injected clock)', async () => {
    let now = 1_000;
    const c = live({ ttlMs: 60_000, now: () => now, random: () => 0 });
    const l = counting(() => 'v');
    await c.read('site', '1', 'items', l.load);
    now += 59_999;
    await c.read('site', '1', 'items', l.load);
    expect(l.calls()).toBe(1);
    now += 2;
    await c.read('site', '1', 'items', l.load);
    expect(l.calls()).toBe(2);
  });

  it('entries loaded together expire at different moments, none later than the TTL', async () => {
    let now = 1_000;
    const draws = [0, 0.5, 0.999];
    const c = live({ ttlMs: 60_000, now: () => now, random: () => draws.shift() ?? 0 });
    const l = counting(() => 'v');
    for (const issue of ['1', '2', '3']) await c.read('site', issue, 'items', l.load);
    const reread = async (issue: string) => {
      const before = l.calls();
      await c.read('site', issue, 'items', l.load);
      return l.calls() > before;
    };
    // TTLs drawn: 60 s, 52.5 s, 45.015 s.
    now += 45_020;
    expect([await reread('1'), await reread('2'), await reread('3')]).toEqual([false, false, true]);
    now += 7_500;
    expect([await reread('1'), await reread('2')]).toEqual([false, true]);
    now += 7_500;
    expect(await reread('1')).toBe(true);
  });

  it('is bounded by items held, a long list weighing its length', async () => {
    const c = live({ maxItems: 10 });
    await c.read('site', '1', 'items', async () => Array.from({ length: 6 }, (_, i) => i));
    await c.read('site', '2', 'items', async () => Array.from({ length: 6 }, (_, i) => i));
    expect(c.stats().issues).toBe(1);
  });

  it('a failed load is not kept and fails its readers', async () => {
    const c = live();
    await expect(c.read('site', '1', 'items', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    const l = counting(() => 'v');
    expect(await c.read('site', '1', 'items', l.load)).toBe('v');
  });
});
