import { signSymmetricToken, FakeProduct } from 'atlassian-connect-next/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServer } from '../../scripts/stack';
import { contextToken, FakeKeys, install, newSite, pageUrl, sendLifecycle, sessionFor, startAppWithProduct, type Site } from '../support/product';

/**
 * What an attacker tried (issue 11), over real HTTP against the built app: malformed keys never
 * reach the database, a session loses its license and its tenant at once, not when it expires.
 */
let app: AppServer;
const product = new FakeProduct();
const keys = new FakeKeys();
let site: Site;
const USER = 'acc-hard-user';

beforeAll(async () => {
  // The license answer is never fresh here, so each call refreshes it in the background (default: 5 min).
  app = await startAppWithProduct(product, keys, { LICENSE_WHEN_ABSENT: 'unlicensed', PRODUCT_LICENSE_FRESH_SECONDS: '0' });
  site = newSite(product.url);
  product.sites.push(site);
  await install(app.url, keys, site);
});
afterAll(async () => {
  await app?.stop();
  await product.stop();
  await keys.stop();
});

async function status(path: string, auth?: string, init: RequestInit = {}): Promise<{ status: number; code?: string }> {
  const res = await fetch(app.url + path, { ...init, headers: { ...(auth ? { authorization: auth } : {}), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    /* not JSON */
  }
  return { status: res.status, code };
}

describe('keys that must never reach a lookup', () => {
  it.each([
    ['a NUL character', 'ck\u0000x'],
    ['a control character', 'ck\u001bx'],
    ['a lone surrogate', 'ck\ud800x'],
    ['300 characters', 'c'.repeat(300)],
  ])('an iss with %s is a 401 on every route kind, never a 500', async (_what, iss) => {
    const page = new URL(`${app.url}/panel/issue?issueId=10001`);
    const pageJwt = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: iss, url: page.toString(), baseUrl: app.url, accountId: USER });
    expect(await status(`/panel/issue?issueId=10001&jwt=${pageJwt}`)).toMatchObject({ status: 401, code: 'JWT_CLAIMS' });
    const ctxJwt = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: iss, qsh: 'context-qsh', accountId: USER });
    expect(await status('/api/context', `JWT ${ctxJwt}`)).toMatchObject({ status: 401, code: 'JWT_CLAIMS' });
    const res = await sendLifecycle(app.url, keys, { ...site, clientKey: iss }, 'installed');
    expect(res.status).toBe(401);
  });

  it('an accountId (sub) with a NUL character is a 401', async () => {
    const ctxJwt = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, qsh: 'context-qsh', accountId: 'acc\u0000x' });
    expect(await status('/api/context', `JWT ${ctxJwt}`)).toMatchObject({ status: 401, code: 'JWT_CLAIMS' });
  });

  it('an issue or item id with a NUL character (encoded) is a 4xx, never a 500', async () => {
    const auth = `Bearer ${(await sessionFor(app.url, site, USER)).token}`;
    for (const r of [await status('/api/checklists/10001%00', auth), await status('/api/checklists/10001/items/x%00y', auth, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"version":1,"checked":true}' })]) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
  });
});

describe('revocation: a session is only as good as the site and the license now', () => {
  it('a licensed session loses its license as soon as the product says it is gone', async () => {
    const other = newSite(product.url);
    product.sites.push(other);
    await install(app.url, keys, other);
    const auth = `Bearer ${(await sessionFor(app.url, other, USER, { issueId: '60001' })).token}`;
    expect((await status('/api/checklists/60001/items', auth, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"before"}' })).status).toBe(201);
    product.licenses.set(other.clientKey, { active: false });
    // With the license answer never fresh (PRODUCT_LICENSE_FRESH_SECONDS=0), the call after the
    // change starts a refresh (never waited for on the request path); once the product has
    // answered, the same session writes no more. In production this happens within the window.
    const licenseCalls = () => product.requests.filter((r) => r.site === other.clientKey && r.path.startsWith('/rest/atlassian-connect/1/addons/')).length;
    const before = licenseCalls();
    await status('/api/checklists/60001', auth);
    await expect.poll(licenseCalls, { timeout: 60_000 }).toBeGreaterThan(before);
    await expect
      .poll(async () => (await status('/api/checklists/60001/items', auth, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"after"}' })).code, { timeout: 60_000 })
      .toBe('LICENSE_REQUIRED');
    product.licenses.delete(other.clientKey);
  }, 180_000);

  it('an uninstall ends the site’s sessions and context tokens at once', async () => {
    const gone = newSite(product.url);
    product.sites.push(gone);
    await install(app.url, keys, gone);
    const session = `Bearer ${(await sessionFor(app.url, gone, USER)).token}`;
    const ctx = `JWT ${await contextToken(gone, USER)}`;
    expect((await status('/api/context', session)).status).toBe(200);
    expect((await status('/api/context', ctx)).status).toBe(200);
    expect((await sendLifecycle(app.url, keys, gone, 'uninstalled')).status).toBe(204);
    expect(await status('/api/context', session)).toMatchObject({ status: 401, code: 'TENANT_UNINSTALLED' });
    expect(await status('/api/context', ctx)).toMatchObject({ status: 401, code: 'TENANT_UNINSTALLED' });
  });

  it('session tokens live 5 minutes by default', async () => {
    const { token } = await sessionFor(app.url, site, USER);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(300);
  });
});

describe('the page URL is what the product signed', () => {
  it('a page JWT for one issue does not open another (the signed issueId binds the session)', async () => {
    const url = new URL(await pageUrl(app.url, site, '/panel/issue', { accountId: USER, params: { issueId: '70001', issueKey: 'CHK-7', projectKey: 'CHK', projectId: '100', lic: 'active' } }));
    url.searchParams.set('issueId', '70002');
    expect(await status(url.pathname + url.search)).toMatchObject({ status: 401, code: 'JWT_QSH' });
  });
});
