import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppDescriptor } from './descriptor';
import { USERS } from './directory';
import { ATLASSIAN_AUTH_SERVER, JWT_BEARER_GRANT, OAuthTokens, handleTokenRequest } from './oauth';
import { newSite, type Site } from './state';

const SECRET = 'a-shared-secret-that-is-long-enough-for-hs256';
const FORM = 'application/x-www-form-urlencoded';
const uma = USERS.find((u) => u.key === 'user')!;

describe('the OAuth2 JWT-bearer token endpoint', () => {
  let site: Site;
  let tokens: OAuthTokens;

  beforeEach(() => {
    site = newSite('jira', 'http://localhost:4100');
    Object.assign(site, { installed: true, enabled: true, sharedSecret: SECRET });
    site.descriptor = { key: 'app', name: 'App', baseUrl: 'http://localhost:4200', scopes: ['READ', 'ACT_AS_USER'] } as AppDescriptor;
    tokens = new OAuthTokens();
  });

  async function assertion(claims: Record<string, unknown> = {}, secret = SECRET): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: `urn:atlassian:connect:clientid:${site.oauthClientId}`,
      sub: `urn:atlassian:connect:useraccountid:${uma.accountId}`,
      tnt: site.baseUrl,
      aud: ATLASSIAN_AUTH_SERVER,
      iat: now,
      exp: now + 60,
      ...claims,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
  }

  const call = (body: Record<string, string>, contentType = FORM) =>
    handleTokenRequest({ contentType, body: new URLSearchParams(body).toString(), sites: [site], audiences: ['http://localhost:4100'], ttlSeconds: 60, leewaySeconds: 30, tokens });

  const expectError = async (p: ReturnType<typeof call>, error: string) => {
    const r = await p;
    expect(r.status).toBe(400);
    expect(r.body.error).toBe(error);
  };

  it('issues a short-lived bearer token for the user', async () => {
    const r = await call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion(), scope: 'READ' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 60, scope: 'READ' });
    const grant = tokens.lookup(String(r.body.access_token));
    expect(grant).toMatchObject({ clientKey: site.clientKey, accountId: uma.accountId, scopes: ['READ'] });
    expect(grant!.expiresAt - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('accepts the emulator itself as audience (OAUTH_AUTH_SERVER_URL pointing here)', async () => {
    const r = await call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion({ aud: 'http://localhost:4100/' }) });
    expect(r.status).toBe(200);
  });

  it('refuses malformed requests', async () => {
    await expectError(call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion() }, 'application/json'), 'invalid_request');
    await expectError(call({ grant_type: 'client_credentials', assertion: await assertion() }), 'unsupported_grant_type');
    await expectError(call({ grant_type: JWT_BEARER_GRANT }), 'invalid_request');
    await expectError(call({ grant_type: JWT_BEARER_GRANT, assertion: 'nope' }), 'invalid_grant');
  });

  it('refuses assertions with the wrong issuer, secret, audience, tenant, user or age', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad: Record<string, unknown>[] = [
      { iss: site.clientKey },
      { iss: 'urn:atlassian:connect:clientid:someone-else' },
      { aud: 'https://example.com' },
      { tnt: 'http://localhost:4100/elsewhere' },
      { sub: uma.accountId },
      { sub: 'urn:atlassian:connect:useraccountid:no-such-user' },
      { iat: now - 600, exp: now - 300 },
    ];
    for (const claims of bad) await expectError(call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion(claims) }), 'invalid_grant');
    await expectError(call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion({}, 'another-secret-another-secret-another-secret') }), 'invalid_grant');
  });

  it('requires the ACT_AS_USER scope and grants no more than the descriptor asks for', async () => {
    await expectError(call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion(), scope: 'READ WRITE' }), 'invalid_scope');
    site.descriptor!.scopes = ['READ'];
    await expectError(call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion() }), 'invalid_grant');
  });

  it('refuses sites that are not installed', async () => {
    site.installed = false;
    await expectError(call({ grant_type: JWT_BEARER_GRANT, assertion: await assertion() }), 'invalid_grant');
  });
});
