import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSymmetricToken } from 'atlassian-connect-next/testing';
import { startApp, type AppServer } from '../../scripts/stack';
import { databaseOptions } from '../support/database';
import { contextToken, FakeKeys, newSite, pageUrl, sendLifecycle, type Site } from '../support/product';

let app: AppServer;
let keys: FakeKeys;
let site: Site;

beforeAll(async () => {
  keys = new FakeKeys();
  const cdn = await keys.start();
  app = await startApp({ ...(await databaseOptions()), env: { CONNECT_KEYS_CDN_URL: cdn, LICENSE_WHEN_ABSENT: 'unlicensed' } });
  site = newSite();
  expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
});
afterAll(async () => {
  await app?.stop();
  await keys?.stop();
});

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

async function bootstrap(res: Response): Promise<{ sessionToken: string; locale: string }> {
  const html = await res.text();
  const m = /<script id="connect-bootstrap" type="application\/json">(.*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!);
}

describe('page requests', () => {
  it('serve a valid page JWT with the license, locale and frame-ancestors of the site', async () => {
    const res = await fetch(await pageUrl(app.url, site, '/general', { accountId: 'acc-1', params: { lic: 'active', loc: 'de-DE', tz: 'Europe/Berlin' } }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(`frame-ancestors ${site.baseUrl} https://*.atlassian.net https://*.jira.com https://*.jira-dev.com`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBeTruthy();
    const html = await res.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('data-testid="general-license">active<');
  });

  it('accept the token in an Authorization: JWT header too', async () => {
    const u = new URL(await pageUrl(app.url, site, '/general', { accountId: 'acc-1' }));
    const jwt = u.searchParams.get('jwt')!;
    u.searchParams.delete('jwt');
    const res = await fetch(u, { headers: { authorization: `JWT ${jwt}` } });
    expect(res.status).toBe(200);
  });

  const cases: [string, () => Promise<string | Request>, string][] = [
    ['no token', async () => `${app.url}/general?xdm_e=x`, 'JWT_MISSING'],
    [
      'a URL parameter changed after signing (lic=none → active)',
      async () => (await pageUrl(app.url, site, '/general', { params: { lic: 'none' } })).replace('lic=none', 'lic=active'),
      'JWT_QSH',
    ],
    [
      'a token signed for another page',
      async () => {
        const other = new URL(await pageUrl(app.url, site, '/admin'));
        return `${app.url}/general?jwt=${other.searchParams.get('jwt')}`;
      },
      'JWT_QSH',
    ],
    ['a context token', async () => `${app.url}/general?jwt=${await contextToken(site, 'acc-1')}`, 'JWT_QSH'],
    ['the wrong secret', async () => pageUrl(app.url, site, '/general', { secret: 'not-the-secret' }), 'JWT_SIGNATURE'],
    ['an expired token', async () => pageUrl(app.url, site, '/general', { ttlSeconds: -120 }), 'JWT_EXPIRED'],
    ['an unknown issuer', async () => pageUrl(app.url, { ...site, clientKey: 'unknown-client' }, '/general'), 'TENANT_UNKNOWN'],
    [
      'alg none',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const u = new URL(await pageUrl(app.url, site, '/general'));
        const claims = JSON.parse(Buffer.from(u.searchParams.get('jwt')!.split('.')[1]!, 'base64url').toString());
        u.searchParams.set('jwt', `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`);
        return u.toString();
      },
      'JWT_ALGORITHM',
    ],
    [
      'HS512 (algorithm not pinned)',
      async () => {
        const u = new URL(`${app.url}/general`);
        const jwt = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, url: u.toString(), baseUrl: app.url, header: { alg: 'HS512' } }).catch(() => null);
        return `${u}?jwt=${jwt ?? 'x.y.z'}`;
      },
      'JWT_ALGORITHM',
    ],
    [
      'an iat far in the future',
      async () => pageUrl(app.url, site, '/general', { claims: { iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 7200 } }),
      'JWT_NOT_YET_VALID',
    ],
    ['two jwt parameters', async () => `${await pageUrl(app.url, site, '/general')}&jwt=a.b.c`, 'JWT_MALFORMED'],
    ['a garbage token', async () => `${app.url}/general?jwt=%3Cscript%3E`, 'JWT_MALFORMED'],
  ];

  it.each(cases)('refuse %s with 401 and a short JSON error', async (_n, make, expected) => {
    const target = await make();
    const res = await fetch(target);
    expect(res.status).toBe(401);
    const body = await res.text();
    expect(JSON.parse(body).error.code).toBe(expected);
    expect(body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    expect(body.length).toBeLessThan(300);
  });
});

describe('API requests from the iframe', () => {
  it('accept a context JWT (license follows the absent-policy: no signed lic on a context token)', async () => {
    const res = await fetch(`${app.url}/api/context`, { headers: { authorization: `JWT ${await contextToken(site, 'acc-7')}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ clientKey: site.clientKey, accountId: 'acc-7', tokenKind: 'context', license: { param: 'absent', licensed: false } });
  });

  it('accept the session token issued at page load, carrying the signed license and locale', async () => {
    const page = await fetch(await pageUrl(app.url, site, '/general', { accountId: 'acc-8', params: { lic: 'active', loc: 'ja-JP', tz: 'Asia/Tokyo' } }));
    const { sessionToken } = await bootstrap(page);
    const res = await fetch(`${app.url}/api/context`, { headers: { authorization: `Bearer ${sessionToken}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      clientKey: site.clientKey,
      accountId: 'acc-8',
      tokenKind: 'session',
      license: { param: 'active', licensed: true },
      locale: 'ja',
      timeZone: 'Asia/Tokyo',
      module: 'general',
    });
  });

  it('a session token from an unlicensed page stays unlicensed', async () => {
    const page = await fetch(await pageUrl(app.url, site, '/general', { accountId: 'acc-8', params: { lic: 'none' } }));
    const { sessionToken } = await bootstrap(page);
    const res = await fetch(`${app.url}/api/context`, { headers: { authorization: `Bearer ${sessionToken}` } });
    expect((await res.json()).license).toEqual({ param: 'none', licensed: false });
  });

  it('refuse a page token replayed on the API, a tampered session token, a product token as a session token', async () => {
    const pageJwt = new URL(await pageUrl(app.url, site, '/general', { accountId: 'a' })).searchParams.get('jwt')!;
    const r1 = await fetch(`${app.url}/api/context`, { headers: { authorization: `JWT ${pageJwt}` } });
    expect(r1.status).toBe(401);
    expect(await code(r1)).toBe('JWT_QSH');

    const page = await fetch(await pageUrl(app.url, site, '/general', { accountId: 'acc-8', params: { lic: 'none' } }));
    const { sessionToken } = await bootstrap(page);
    const [h, p, s] = sessionToken.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, lic: 'active' })).toString('base64url')}.${s}`;
    const r2 = await fetch(`${app.url}/api/context`, { headers: { authorization: `Bearer ${forged}` } });
    expect(r2.status).toBe(401);
    expect(await code(r2)).toBe('JWT_SIGNATURE');

    const r3 = await fetch(`${app.url}/api/context`, { headers: { authorization: `Bearer ${await contextToken(site, 'x')}` } });
    expect(r3.status).toBe(401);

    const r4 = await fetch(`${app.url}/api/context`);
    expect(r4.status).toBe(401);
    expect(await code(r4)).toBe('JWT_MISSING');
  });

  it('refuse both token kinds once the tenant is uninstalled', async () => {
    const s2 = newSite();
    expect((await sendLifecycle(app.url, keys, s2, 'installed')).status).toBe(204);
    const page = await fetch(await pageUrl(app.url, s2, '/general', { accountId: 'u' }));
    const { sessionToken } = await bootstrap(page);
    expect((await sendLifecycle(app.url, keys, s2, 'uninstalled')).status).toBe(204);
    for (const auth of [`Bearer ${sessionToken}`, `JWT ${await contextToken(s2, 'u')}`]) {
      const res = await fetch(`${app.url}/api/context`, { headers: { authorization: auth } });
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('TENANT_UNINSTALLED');
    }
  });

  it('a disabled tenant is still served (the product stops showing modules; on Forge no enable follows)', async () => {
    const s3 = newSite();
    expect((await sendLifecycle(app.url, keys, s3, 'installed')).status).toBe(204);
    expect((await sendLifecycle(app.url, keys, s3, 'disabled')).status).toBe(204);
    const res = await fetch(`${app.url}/api/context`, { headers: { authorization: `JWT ${await contextToken(s3, 'u')}` } });
    expect(res.status).toBe(200);
  });
});
