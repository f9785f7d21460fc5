import { describe, expect, it } from 'vitest';
import { lazy } from './index';

const route = { params: Promise.resolve({}) };

describe('lazy route handlers', () => {
  it('builds once, on the first request, and serves every request with that handler', async () => {
    let builds = 0;
    const h = lazy(async () => {
      builds++;
      return async (req) => new Response(new URL(req.url).pathname);
    });
    expect(builds).toBe(0);
    const answers = await Promise.all(['/a', '/b', '/c'].map((p) => h(new Request(`https://x.test${p}`), route).then((r) => r.text())));
    expect(answers).toEqual(['/a', '/b', '/c']);
    expect(await (await h(new Request('https://x.test/d'), route)).text()).toBe('/d');
    expect(builds).toBe(1);
  });

  it('a failed build fails its requests and is tried again by the next one', async () => {
    let builds = 0;
    const h = lazy(() => {
      if (++builds === 1) throw new Error('config missing');
      return async () => new Response('ok');
    });
    await expect(h(new Request('https://x.test/'), route)).rejects.toThrow('config missing');
    expect(await (await h(new Request('https://x.test/'), route)).text()).toBe('ok');
    expect(builds).toBe(2);
  });
});
