import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForgeJwksServer, installationAri, newForgeKey, signInvocationToken, type ForgeKey, type InvocationInput } from 'atlassian-connect-next/testing';
import { startApp, type AppServer } from '../../scripts/stack';
import { databaseOptions } from '../support/database';
import { contextToken, FakeKeys, newSite, pageUrl, sendLifecycle, type Site } from '../support/product';

/**
 * Forge Remote over real HTTP against the built app: the sample remote resolver and the Forge
 * lifecycle routes accept only Forge invocation tokens, the Connect routes never accept one.
 */

const APP_ID = randomUUID();
let app: AppServer;
let keys: FakeKeys;
let jwks: ForgeJwksServer;
let key: ForgeKey;
let site: Site;
const installationId = installationAri();

beforeAll(async () => {
  keys = new FakeKeys();
  jwks = new ForgeJwksServer();
  key = await newForgeKey();
  jwks.add(key);
  const [cdn, jwksUrl] = await Promise.all([keys.start(), jwks.start()]);
  app = await startApp({
    ...(await databaseOptions()),
    env: { CONNECT_KEYS_CDN_URL: cdn, FORGE_APP_ID: APP_ID, FORGE_JWKS_URL: jwksUrl, FORGE_ENVIRONMENT: 'production', LICENSE_WHEN_ABSENT: 'unlicensed' },
  });
  site = newSite();
  expect((await sendLifecycle(app.url, keys, site, 'installed')).status).toBe(204);
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([keys?.stop(), jwks?.stop()]);
});

const fit = (over: Partial<InvocationInput> = {}) => signInvocationToken({ key, appId: APP_ID, installationId, cloudId: site.cloudId, ...over });

async function call(path: string, authorization: string, method = 'POST'): Promise<Response> {
  return fetch(`${app.url}${path}`, { method, headers: { authorization, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('Forge remote resolver (/forge/remote)', () => {
  it('serves a Forge invocation token with the installation, site, user and license mapped to the Connect tenant', async () => {
    const res = await call('/forge/remote', `Bearer ${await fit({ siteUrl: site.baseUrl, accountId: 'acc-forge', license: { isActive: true } })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({
      clientKey: site.clientKey,
      installationId,
      cloudId: site.cloudId,
      siteUrl: site.baseUrl,
      accountId: 'acc-forge',
      license: { param: 'active', licensed: true },
      environment: 'PRODUCTION',
      site: { baseUrl: site.baseUrl, productType: 'jira', active: true },
    });
  });

  const rejections: [string, () => Promise<string>, string][] = [
    ['wrong audience', async () => `Bearer ${await fit({ audience: `ari:cloud:ecosystem::app/${randomUUID()}` })}`, 'JWT_AUDIENCE'],
    ['wrong issuer', async () => `Bearer ${await fit({ issuer: 'connect' })}`, 'JWT_ISSUER'],
    ['expired', async () => `Bearer ${await fit({ iatOffsetSeconds: -600, ttlSeconds: 25 })}`, 'JWT_EXPIRED'],
    ['unknown key', async () => `Bearer ${await fit({ key: await newForgeKey() })}`, 'INSTALL_KEY_UNKNOWN'],
    ['another Forge environment', async () => `Bearer ${await fit({ environment: 'DEVELOPMENT' })}`, 'JWT_CLAIMS'],
    [
      'HS256',
      async () =>
        `Bearer ${await new SignJWT({ app: { id: `ari:cloud:ecosystem::app/${APP_ID}` } })
          .setProtectedHeader({ alg: 'HS256', kid: key.kid })
          .setIssuer('forge/invocation-token')
          .setAudience(`ari:cloud:ecosystem::app/${APP_ID}`)
          .setIssuedAt()
          .setExpirationTime('1m')
          .sign(new TextEncoder().encode(site.sharedSecret))}`,
      'JWT_ALGORITHM',
    ],
    ['alg none', async () => `Bearer ${new UnsecuredJWT({}).setIssuer('forge/invocation-token').setAudience(`ari:cloud:ecosystem::app/${APP_ID}`).setExpirationTime('1m').encode()}`, 'JWT_ALGORITHM'],
    ['a Connect context JWT as the bearer token', async () => `Bearer ${await contextToken(site, 'acc-1')}`, 'JWT_ALGORITHM'],
    ['a Connect JWT in an Authorization: JWT header', async () => `JWT ${await contextToken(site, 'acc-1')}`, 'JWT_MISSING'],
    ['no token', async () => '', 'JWT_MISSING'],
  ];
  it.each(rejections)('refuses %s with 401', async (_name, auth, expected) => {
    const res = await call('/forge/remote', await auth());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="forge"');
    expect(await code(res)).toBe(expected);
  });

  it('refuses a valid token for a site with no Connect tenant', async () => {
    const res = await call('/forge/remote', `Bearer ${await fit({ cloudId: randomUUID(), installationId: installationAri() })}`);
    expect(res.status).toBe(401);
    expect(await code(res)).toBe('TENANT_UNKNOWN');
  });
});

describe('a Forge token presented to the Connect routes', () => {
  it('is refused by the page wrapper (query and header) and the API wrapper (Bearer and JWT)', async () => {
    const token = await fit({ siteUrl: site.baseUrl, accountId: 'acc-1' });
    const page = new URL(await pageUrl(app.url, site, '/general', { accountId: 'acc-1' }));
    page.searchParams.set('jwt', token);
    const viaQuery = await fetch(page);
    expect(viaQuery.status).toBe(401);
    expect(await code(viaQuery)).toBe('JWT_ALGORITHM');
    page.searchParams.delete('jwt');
    const viaHeader = await fetch(page, { headers: { authorization: `JWT ${token}` } });
    expect(await code(viaHeader)).toBe('JWT_ALGORITHM');
    for (const auth of [`Bearer ${token}`, `JWT ${token}`]) {
      const api = await call('/api/context', auth, 'GET');
      expect(api.status).toBe(401);
      expect(await code(api)).toBe('JWT_ALGORITHM');
    }
  });

  it('is refused by the Connect lifecycle routes', async () => {
    const res = await sendLifecycle(app.url, keys, site, 'installed', { token: await fit() });
    expect(res.status).toBe(401);
    const uninstall = await sendLifecycle(app.url, keys, site, 'uninstalled', { token: await fit() });
    expect(uninstall.status).toBe(401);
    // The tenant is untouched: its page still loads.
    expect((await fetch(await pageUrl(app.url, site, '/general', { accountId: 'acc-1' }))).status).toBe(200);
  });
});

describe('site keying on the Forge path', () => {
  it('a Forge reinstall (new installation id) keeps the site: the same Connect tenant (clientKey keys all its data), the new installation recorded', async () => {
    const s = newSite();
    expect((await sendLifecycle(app.url, keys, s, 'installed')).status).toBe(204);
    const first = installationAri();
    const as = async (inst: string) => (await (await call('/forge/remote', `Bearer ${await signInvocationToken({ key, appId: APP_ID, installationId: inst, cloudId: s.cloudId })}`)).json()) as Record<string, unknown>;
    expect(await as(first)).toMatchObject({ clientKey: s.clientKey, installationId: first });
    // Uninstalled and installed again on Forge: a new installation id, the same site (cloud id).
    const second = installationAri();
    expect((await call('/forge/lifecycle/installed', `Bearer ${await signInvocationToken({ key, appId: APP_ID, installationId: second, cloudId: s.cloudId })}`)).status).toBe(204);
    expect(await as(second)).toMatchObject({ clientKey: s.clientKey, installationId: second, site: { baseUrl: s.baseUrl, active: true } });
    // Another site's installation never lands on this tenant.
    const other = newSite();
    expect((await sendLifecycle(app.url, keys, other, 'installed')).status).toBe(204);
    expect(await as(installationAri())).toMatchObject({ clientKey: s.clientKey });
    const otherInst = installationAri();
    expect((await (await call('/forge/remote', `Bearer ${await signInvocationToken({ key, appId: APP_ID, installationId: otherInst, cloudId: other.cloudId })}`)).json()) as object).toMatchObject({ clientKey: other.clientKey });
  });
});

describe('lifecycle after adoption, over HTTP', () => {
  it('a Forge lifecycle event links a new installation without a Connect `installed`; a disabled tenant is still served', async () => {
    const adopted = newSite();
    expect((await sendLifecycle(app.url, keys, adopted, 'installed')).status).toBe(204);
    expect((await sendLifecycle(app.url, keys, adopted, 'disabled')).status).toBe(204);
    expect((await fetch(await pageUrl(app.url, adopted, '/general', { accountId: 'acc-1' }))).status).toBe(200);

    const inst = installationAri();
    const token = await signInvocationToken({ key, appId: APP_ID, installationId: inst, cloudId: adopted.cloudId });
    const ev = await call('/forge/lifecycle/upgraded', `Bearer ${token}`);
    expect(ev.status).toBe(204);
    const res = await call('/forge/remote', `Bearer ${await signInvocationToken({ key, appId: APP_ID, installationId: inst, cloudId: adopted.cloudId })}`);
    expect(await res.json()).toMatchObject({ clientKey: adopted.clientKey, installationId: inst, siteUrl: null, accountId: null });

    const bad = await call('/forge/lifecycle/installed', `JWT ${await contextToken(adopted)}`);
    expect(bad.status).toBe(401);
    expect((await call('/forge/lifecycle/enabled', `Bearer ${token}`)).status).toBe(404);
  });
});
