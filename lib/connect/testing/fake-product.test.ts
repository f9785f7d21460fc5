import { createQueryStringHash, encodeSymmetric, fromMethodAndUrl } from 'atlassian-jwt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeProduct } from './fake-product';
import { newFakeSite } from './fake-sites';

/**
 * The fake product refuses what Jira refuses. Tokens here are made with atlassian-jwt directly,
 * so the fake's checks are tested against Atlassian's library, not against themselves.
 */

let fake: FakeProduct;
const a = newFakeSite();
const b = newFakeSite();

beforeEach(async () => {
  fake = new FakeProduct(a);
  fake.sites.push(b);
  await fake.start();
});
afterEach(() => fake.stop());

function token(secret: string, method: string, url: string, over: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const qsh = createQueryStringHash(fromMethodAndUrl(method, url), false, fake.url);
  return encodeSymmetric({ iss: a.appKey, iat: now, exp: now + 60, qsh, ...over }, secret);
}

const get = (path: string, auth?: string) => fetch(`${fake.url}${path}`, { headers: auth ? { authorization: auth } : {} });

describe('the fake product', () => {
  it('answers a call signed as the product expects, and knows which site signed it', async () => {
    const path = '/rest/test/echo?b=2&a=x%20y';
    const res = await get(path, `JWT ${token(b.sharedSecret, 'GET', path)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ auth: 'jwt', site: b.clientKey, query: { a: 'x y', b: '2' } });
    expect(fake.authFailures).toEqual([]);
    expect(fake.requests[0]).toMatchObject({ site: b.clientKey, auth: 'jwt', path: '/rest/test/echo' });
  });

  it.each([
    ['a qsh for another path', () => `JWT ${token(a.sharedSecret, 'GET', '/rest/test/other')}`, /qsh mismatch/],
    ['a qsh for another method', () => `JWT ${token(a.sharedSecret, 'POST', '/rest/test/echo')}`, /qsh mismatch/],
    ['no qsh', () => `JWT ${token(a.sharedSecret, 'GET', '/rest/test/echo', { qsh: undefined })}`, /qsh is required/],
    ['an unknown secret', () => `JWT ${token('not-the-secret-of-any-site-000000', 'GET', '/rest/test/echo')}`, /signature/],
    ['another app key', () => `JWT ${token(a.sharedSecret, 'GET', '/rest/test/echo', { iss: 'com.example.other' })}`, /no app installed/],
    ['an expired token', () => `JWT ${token(a.sharedSecret, 'GET', '/rest/test/echo', { exp: Math.floor(Date.now() / 1000) - 1 })}`, /expired/],
    ['a token living over 3 minutes', () => `JWT ${token(a.sharedSecret, 'GET', '/rest/test/echo', { exp: Math.floor(Date.now() / 1000) + 600 })}`, /3 minutes/],
    ['no Authorization', () => undefined, /no Authorization/],
  ])('refuses %s with 401', async (_what, auth, why) => {
    const res = await get('/rest/test/echo', auth());
    expect(res.status).toBe(401);
    expect(fake.authFailures).toHaveLength(1);
    expect(fake.authFailures[0]).toMatch(why);
  });

  it('refuses a JWT in the query string', async () => {
    const res = await get(`/rest/test/echo?jwt=${token(a.sharedSecret, 'GET', '/rest/test/echo')}`);
    expect(res.status).toBe(401);
    expect(fake.authFailures[0]).toMatch(/query string/);
  });

  it('answers the license per site, and closes connections when down', async () => {
    fake.licenses.set(b.clientKey, null);
    const path = `/rest/atlassian-connect/1/addons/${a.appKey}`;
    expect(await (await get(path, `JWT ${token(a.sharedSecret, 'GET', path)}`)).json()).toMatchObject({ license: { active: true } });
    expect(await (await get(path, `JWT ${token(b.sharedSecret, 'GET', path)}`)).json()).not.toHaveProperty('license');
    fake.down = true;
    await expect(get(path, `JWT ${token(a.sharedSecret, 'GET', path)}`)).rejects.toThrow();
    fake.clearFaults();
    expect((await get(path, `JWT ${token(a.sharedSecret, 'GET', path)}`)).status).toBe(200);
  });
});
