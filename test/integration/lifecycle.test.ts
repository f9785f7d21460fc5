import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, importPKCS8 } from 'jose';
import { newInstallKeyPair, productQsh, signInstallToken, signSymmetricToken } from 'atlassian-connect-next/testing';
import { startApp, type AppServer } from '../../scripts/stack';
import { databaseOptions } from '../support/database';
import { APP_KEY, FakeKeys, newSite, pageUrl, sendLifecycle, type Site } from '../support/product';

let app: AppServer;
let keys: FakeKeys;

beforeAll(async () => {
  keys = new FakeKeys();
  const cdn = await keys.start();
  app = await startApp({ ...(await databaseOptions()), env: { CONNECT_KEYS_CDN_URL: cdn } });
});
afterAll(async () => {
  await app?.stop();
  await keys?.stop();
});

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string } };
  return body.error.code;
}

/** Whether the app accepts a page JWT signed with this secret (i.e. what the tenant store holds). */
async function pageStatus(site: Site, secret = site.sharedSecret): Promise<number> {
  const res = await fetch(await pageUrl(app.url, site, '/general', { secret, accountId: 'acc-1' }));
  await res.arrayBuffer();
  return res.status;
}

describe('installed', () => {
  it('accepts a signed install, stores the tenant, and serves its pages', async () => {
    const site = newSite();
    const res = await sendLifecycle(app.url, keys, site, 'installed');
    expect(res.status).toBe(204);
    expect(await pageStatus(site)).toBe(200);
  });

  const rejections: [string, (site: Site) => Promise<Response>, number, string][] = [
    ['no token', (s) => sendLifecycle(app.url, keys, s, 'installed', { token: '' }), 401, 'JWT_MISSING'],
    ['garbage token', (s) => sendLifecycle(app.url, keys, s, 'installed', { token: 'not.a.jwt!' }), 401, 'JWT_MALFORMED'],
    [
      'signed with another key under a known kid',
      async (s) => {
        const other = newInstallKeyPair(keys.pair.kid);
        return sendLifecycle(app.url, keys, s, 'installed', { pair: other });
      },
      401,
      'JWT_SIGNATURE',
    ],
    ['unknown kid', (s) => sendLifecycle(app.url, keys, s, 'installed', { pair: newInstallKeyPair() }), 401, 'INSTALL_KEY_UNKNOWN'],
    ['kid with path traversal', (s) => sendLifecycle(app.url, keys, s, 'installed', { header: { kid: '../../etc/passwd' } }), 401, 'INSTALL_KEY_UNKNOWN'],
    ['wrong aud', (s) => sendLifecycle(app.url, keys, s, 'installed', { claims: { aud: ['https://other-app.example.com'] } }), 401, 'JWT_AUDIENCE'],
    ['iss is not the clientKey', (s) => sendLifecycle(app.url, keys, s, 'installed', { claims: { iss: 'someone-else' } }), 401, 'JWT_ISSUER'],
    ['bad qsh', (s) => sendLifecycle(app.url, keys, s, 'installed', { claims: { qsh: productQsh('POST', '/lifecycle/uninstalled') } }), 401, 'JWT_QSH'],
    ['context qsh', (s) => sendLifecycle(app.url, keys, s, 'installed', { claims: { qsh: 'context-qsh' } }), 401, 'JWT_QSH'],
    [
      'expired',
      async (s) => {
        const url = `${app.url}/lifecycle/installed`;
        const key = await importPKCS8(keys.pair.privatePem, 'RS256');
        const now = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({ qsh: productQsh('POST', url, app.url), aud: [app.url] })
          .setProtectedHeader({ alg: 'RS256', kid: keys.pair.kid })
          .setIssuer(s.clientKey)
          .setIssuedAt(now - 3600)
          .setExpirationTime(now - 600)
          .sign(key);
        return sendLifecycle(app.url, keys, s, 'installed', { token });
      },
      401,
      'JWT_EXPIRED',
    ],
    [
      'alg none',
      async (s) => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        const token = `${enc({ alg: 'none', typ: 'JWT', kid: keys.pair.kid })}.${enc({ iss: s.clientKey, iat: now, exp: now + 60, aud: [app.url], qsh: productQsh('POST', `${app.url}/lifecycle/installed`, app.url) })}.`;
        return sendLifecycle(app.url, keys, s, 'installed', { token });
      },
      401,
      'JWT_ALGORITHM',
    ],
    [
      'an HS256 (context-style) token on the install route',
      async (s) => {
        const token = await signSymmetricToken({ sharedSecret: s.sharedSecret, issuer: s.clientKey, qsh: 'context-qsh' });
        return sendLifecycle(app.url, keys, s, 'installed', { token });
      },
      401,
      'JWT_ALGORITHM',
    ],
    ['body is not JSON', (s) => sendLifecycle(app.url, keys, s, 'installed', { body: '{not json' }), 400, 'BAD_REQUEST'],
    ['body misses baseUrl', (s) => sendLifecycle(app.url, keys, s, 'installed', { body: { key: APP_KEY, clientKey: s.clientKey, eventType: 'installed', productType: 'jira', sharedSecret: 'x' } }), 400, 'BAD_REQUEST'],
    ['body for another app key', (s) => sendLifecycle(app.url, keys, s, 'installed', { body: { key: 'other.app', clientKey: s.clientKey, baseUrl: s.baseUrl, eventType: 'installed', productType: 'jira', sharedSecret: 'x' } }), 400, 'BAD_REQUEST'],
    ['product host not allowed', (s) => sendLifecycle(app.url, keys, { ...s, baseUrl: 'https://evil.example.com' }, 'installed'), 403, 'HOST_NOT_ALLOWED'],
    ['plain-http product URL', (s) => sendLifecycle(app.url, keys, { ...s, baseUrl: 'http://acme.atlassian.net' }, 'installed'), 403, 'HOST_NOT_ALLOWED'],
  ];

  it.each(rejections)('rejects %s and stores nothing', async (_name, send, status, code) => {
    const site = newSite();
    const res = await send(site);
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await pageStatus(site)).toBe(401);
  });

  it('reinstall rotates the secret: the new one works at once, the old one is refused', async () => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    const rotated = { ...site, sharedSecret: 'rotated-' + site.sharedSecret };
    expect((await sendLifecycle(app.url, keys, rotated, 'installed')).status).toBe(204);
    expect(await pageStatus(rotated)).toBe(200);
    expect(await pageStatus(site)).toBe(401);
  });

  it('refuses a takeover of an existing clientKey by another site, keeping the original secret', async () => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    const attacker = newSite({ clientKey: site.clientKey });
    const res = await sendLifecycle(app.url, keys, attacker, 'installed');
    expect(res.status).toBe(401);
    expect(await pageStatus(site)).toBe(200);
    expect(await pageStatus(site, attacker.sharedSecret)).toBe(401);
  });

  it('accepts a baseUrl change on reinstall (same clientKey and cloudId)', async () => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    const moved = { ...site, baseUrl: site.baseUrl.replace('site-', 'renamed-') };
    expect((await sendLifecycle(app.url, keys, moved, 'installed')).status).toBe(204);
    const res = await fetch(await pageUrl(app.url, moved, '/general', { accountId: 'a' }));
    expect(await res.text()).toContain(moved.baseUrl.replace('https://', ''));
    expect(res.headers.get('content-security-policy')).toContain(moved.baseUrl);
  });
});

describe('uninstalled', () => {
  it('marks the tenant uninstalled; its JWTs are refused; a reinstall reactivates it', async () => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    expect((await sendLifecycle(app.url, keys, site, 'uninstalled')).status).toBe(204);
    const res = await fetch(await pageUrl(app.url, site, '/general'));
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('TENANT_UNINSTALLED');
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    expect(await pageStatus(site)).toBe(200);
  });

  it('requires RS256 signed-install: an HS256 token with the right secret is refused', async () => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    const url = `${app.url}/lifecycle/uninstalled`;
    const token = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, method: 'POST', url, baseUrl: app.url });
    const res = await sendLifecycle(app.url, keys, site, 'uninstalled', { token });
    expect(res.status).toBe(401);
    expect(await pageStatus(site)).toBe(200);
  });
});

describe('enabled / disabled', () => {
  it('accept HS256 with the current secret and a computed qsh', async () => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    expect((await sendLifecycle(app.url, keys, site, 'disabled')).status).toBe(204);
    expect((await sendLifecycle(app.url, keys, site, 'enabled')).status).toBe(204);
  });

  it.each([
    ['wrong secret', { sharedSecret: 'wrong' }, 'JWT_SIGNATURE'],
    ['unknown tenant', { clientKey: 'never-installed' }, 'TENANT_UNKNOWN'],
  ])('refuse %s', async (_n, override, code) => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    const res = await sendLifecycle(app.url, keys, { ...site, ...override }, 'disabled');
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe(code);
  });

  it('refuse an RS256 install token and a context token', async () => {
    const site = newSite();
    expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
    const url = `${app.url}/lifecycle/enabled`;
    const rs = await signInstallToken({ pair: keys.pair, clientKey: site.clientKey, appBaseUrl: app.url, url });
    expect((await sendLifecycle(app.url, keys, site, 'enabled', { token: rs })).status).toBe(401);
    const ctx = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, qsh: 'context-qsh' });
    const res = await sendLifecycle(app.url, keys, site, 'enabled', { token: ctx });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('JWT_QSH');
  });

  it('an unknown lifecycle event is 404', async () => {
    const res = await fetch(`${app.url}/lifecycle/hacked`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});

describe('logs', () => {
  it('never contain a shared secret or a token', () => {
    const out = app.output();
    expect(out).toContain('lifecycle accepted');
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(out).not.toContain('rotated-');
  });
});
