import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { computeQsh } from 'atlassian-connect-next';
import { ProductAuthError, verifyAppRequest, type AuthFailure } from './app-auth';
import type { AppDescriptor } from './descriptor';
import { OAuthTokens } from './oauth';
import { newSite, type Site } from './state';

const APP_KEY = 'com.example.app';
const SECRET = 'a-shared-secret-that-is-long-enough-for-hs256';
const BASE = 'http://localhost:4100';

function installedSite(baseUrl = BASE): Site {
  const site = newSite('jira', baseUrl);
  site.installed = true;
  site.enabled = true;
  site.sharedSecret = SECRET;
  site.descriptor = { key: APP_KEY, name: 'App', baseUrl: 'http://localhost:4200', scopes: ['READ'] } as AppDescriptor;
  return site;
}

interface TokenOpts {
  method?: string;
  url?: string;
  base?: string;
  claims?: Record<string, unknown>;
  alg?: string;
  secret?: string;
}

async function token(o: TokenOpts = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const url = o.url ?? `${BASE}/rest/api/3/issue/DEMO-1?fields=summary,status`;
  return new SignJWT({ iss: APP_KEY, iat: now, exp: now + 120, qsh: computeQsh(o.method ?? 'GET', url, o.base ?? BASE), ...o.claims })
    .setProtectedHeader({ alg: o.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(o.secret ?? SECRET));
}

describe('the emulator verifies the app REST calls like the product', () => {
  let site: Site;
  let tokens: OAuthTokens;
  const url = new URL(`${BASE}/rest/api/3/issue/DEMO-1?fields=summary,status`);
  const verify = (authorization: string | undefined, opts: { method?: string; url?: URL } = {}) =>
    verifyAppRequest({ method: opts.method ?? 'GET', url: opts.url ?? url, authorization, site, tokens, leewaySeconds: 30 });
  const rejects = async (p: Promise<unknown>, code: AuthFailure) => {
    await expect(p).rejects.toBeInstanceOf(ProductAuthError);
    await expect(p).rejects.toMatchObject({ code });
  };

  beforeEach(() => {
    site = installedSite();
    tokens = new OAuthTokens();
  });

  it('accepts an app JWT with the qsh of exactly this request', async () => {
    await expect(verify(`JWT ${await token()}`)).resolves.toEqual({ kind: 'app', clientKey: site.clientKey });
  });

  it('computes the qsh relative to the site baseUrl path (Confluence under /wiki)', async () => {
    site = installedSite(`${BASE}/wiki`);
    const u = new URL(`${BASE}/wiki/rest/api/user?accountId=x`);
    await expect(verify(`JWT ${await token({ url: u.toString(), base: `${BASE}/wiki` })}`, { url: u })).resolves.toMatchObject({ kind: 'app' });
    // The same token computed with /wiki in the path is for another request.
    await rejects(verify(`JWT ${await token({ url: u.toString(), base: BASE })}`, { url: u }), 'QSH_MISMATCH');
  });

  it('refuses a JWT in the query string, even with a valid header', async () => {
    const t = await token();
    const withQuery = new URL(url);
    withQuery.searchParams.set('jwt', t);
    await rejects(verify(`JWT ${t}`, { url: withQuery }), 'QUERY_JWT_REFUSED');
  });

  it('refuses a missing or foreign Authorization header', async () => {
    await rejects(verify(undefined), 'AUTH_MISSING');
    await rejects(verify('Basic dXNlcjpwYXNz'), 'AUTH_SCHEME');
    await rejects(verify(`JWT ${await token()} extra`), 'AUTH_SCHEME');
  });

  it('refuses tokens that are not HS256', async () => {
    await rejects(verify(`JWT ${await token({ alg: 'HS512' })}`), 'JWT_ALGORITHM');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: APP_KEY, qsh: 'x' })).toString('base64url')}.`;
    await rejects(verify(`JWT ${none}`), 'JWT_ALGORITHM');
    await rejects(verify('JWT not-a-jwt'), 'JWT_MALFORMED');
  });

  it('refuses a token whose iss is not the app key (e.g. a product token sent back)', async () => {
    await rejects(verify(`JWT ${await token({ claims: { iss: site.clientKey } })}`), 'JWT_ISSUER');
  });

  it('refuses a wrong or rotated secret', async () => {
    await rejects(verify(`JWT ${await token({ secret: 'another-secret-another-secret-another-secret' })}`), 'JWT_SIGNATURE');
    const old = await token();
    site.sharedSecret = 'the-secret-after-a-reinstall-the-secret-after';
    await rejects(verify(`JWT ${old}`), 'JWT_SIGNATURE');
  });

  it('refuses expired and future tokens (beyond the leeway)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejects(verify(`JWT ${await token({ claims: { iat: now - 600, exp: now - 60 } })}`), 'JWT_EXPIRED');
    await rejects(verify(`JWT ${await token({ claims: { iat: now + 300, exp: now + 500 } })}`), 'JWT_NOT_YET_VALID');
    await expect(verify(`JWT ${await token({ claims: { iat: now + 10 } })}`)).resolves.toMatchObject({ kind: 'app' });
  });

  it('refuses a missing qsh, a context token, and a qsh for another request', async () => {
    await rejects(verify(`JWT ${await token({ claims: { qsh: undefined } })}`), 'QSH_MISSING');
    await rejects(verify(`JWT ${await token({ claims: { qsh: 'context-qsh' } })}`), 'QSH_CONTEXT');
    await rejects(verify(`JWT ${await token({ method: 'POST' })}`), 'QSH_MISMATCH');
    await rejects(verify(`JWT ${await token({ url: `${BASE}/rest/api/3/issue/DEMO-2?fields=summary,status` })}`), 'QSH_MISMATCH');
    await rejects(verify(`JWT ${await token({ url: `${BASE}/rest/api/3/issue/DEMO-1?fields=summary` })}`), 'QSH_MISMATCH');
  });

  it('refuses every call once the app is uninstalled or disabled', async () => {
    const t = await token();
    site.enabled = false;
    await rejects(verify(`JWT ${t}`), 'APP_DISABLED');
    site.installed = false;
    await rejects(verify(`JWT ${t}`), 'NOT_INSTALLED');
  });

  it('accepts OAuth bearer tokens of this site until they expire', async () => {
    const now = Date.now();
    const good = tokens.issue({ clientKey: site.clientKey, accountId: 'acc-1', scopes: ['READ'], expiresAt: now + 60_000 });
    await expect(verify(`Bearer ${good}`)).resolves.toMatchObject({ kind: 'user', accountId: 'acc-1', via: 'bearer' });
    const expired = tokens.issue({ clientKey: site.clientKey, accountId: 'acc-1', scopes: ['READ'], expiresAt: now - 1 });
    await rejects(verify(`Bearer ${expired}`), 'BEARER_EXPIRED');
    const foreign = tokens.issue({ clientKey: 'another-site', accountId: 'acc-1', scopes: ['READ'], expiresAt: now + 60_000 });
    await rejects(verify(`Bearer ${foreign}`), 'BEARER_UNKNOWN');
    await rejects(verify('Bearer made-up'), 'BEARER_UNKNOWN');
    tokens.revokeSite(site.clientKey);
    await rejects(verify(`Bearer ${good}`), 'BEARER_UNKNOWN');
  });
});
