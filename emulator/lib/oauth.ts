import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { userByAccountId } from './directory';
import type { Site } from './state';

/**
 * The OAuth 2.0 JWT-bearer grant Connect apps use to act as a user: the app posts an HS256
 * assertion signed with the shared secret (`iss` urn:atlassian:connect:clientid:{oauthClientId},
 * `sub` urn:atlassian:connect:useraccountid:{accountId}, `tnt` the site baseUrl, `aud` the
 * authorization server) and receives a short-lived bearer token.
 * https://developer.atlassian.com/cloud/jira/platform/user-impersonation-for-connect-apps/
 */

export const ATLASSIAN_AUTH_SERVER = 'https://oauth-2-authorization-server.services.atlassian.com';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_PREFIX = 'urn:atlassian:connect:clientid:';
const USER_PREFIX = 'urn:atlassian:connect:useraccountid:';

export interface Grant {
  clientKey: string;
  accountId: string;
  scopes: string[];
  expiresAt: number;
}

export class OAuthTokens {
  private readonly grants = new Map<string, Grant>();
  issued = 0;

  issue(grant: Grant): string {
    const token = randomBytes(32).toString('base64url');
    this.grants.set(token, grant);
    this.issued++;
    if (this.grants.size > 5000) this.prune(Date.now());
    return token;
  }

  lookup(token: string): Grant | undefined {
    return this.grants.get(token);
  }

  /** Uninstall and secret rotation end every token of the site. */
  revokeSite(clientKey: string): void {
    for (const [t, g] of this.grants) if (g.clientKey === clientKey) this.grants.delete(t);
  }

  private prune(now: number): void {
    for (const [t, g] of this.grants) if (g.expiresAt <= now) this.grants.delete(t);
  }
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

const err = (status: number, error: string, description: string): TokenResponse => ({
  status,
  body: { error, error_description: description },
});

const trim = (u: string) => u.replace(/\/+$/, '');

export interface TokenRequestInput {
  contentType: string | undefined;
  body: string;
  sites: Site[];
  /** Audiences accepted besides Atlassian's: the emulator's own URL. */
  audiences: string[];
  ttlSeconds: number;
  leewaySeconds: number;
  tokens: OAuthTokens;
  now?: Date;
}

export async function handleTokenRequest(input: TokenRequestInput): Promise<TokenResponse> {
  if (!input.contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return err(400, 'invalid_request', 'body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(input.body);
  if (form.get('grant_type') !== JWT_BEARER_GRANT) return err(400, 'unsupported_grant_type', `grant_type must be ${JWT_BEARER_GRANT}`);
  const assertion = form.get('assertion');
  if (!assertion) return err(400, 'invalid_request', 'assertion missing');
  let iss: unknown;
  try {
    if (decodeProtectedHeader(assertion).alg !== 'HS256') return err(400, 'invalid_grant', 'assertion must be HS256');
    iss = decodeJwt(assertion).iss;
  } catch {
    return err(400, 'invalid_grant', 'assertion is not a JWT');
  }
  if (typeof iss !== 'string' || !iss.startsWith(CLIENT_PREFIX)) return err(400, 'invalid_grant', `iss must be ${CLIENT_PREFIX}{oauthClientId}`);
  const clientId = iss.slice(CLIENT_PREFIX.length);
  const site = input.sites.find((s) => s.oauthClientId === clientId && s.installed && s.sharedSecret && s.descriptor);
  if (!site) return err(400, 'invalid_grant', 'unknown oauth client (not installed?)');
  const now = input.now ?? new Date();
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(assertion, new TextEncoder().encode(site.sharedSecret!), {
      algorithms: ['HS256'],
      clockTolerance: input.leewaySeconds,
      requiredClaims: ['exp', 'iat', 'sub', 'aud'],
      currentDate: now,
    }));
  } catch (e) {
    return err(400, 'invalid_grant', `assertion rejected: ${(e as Error).message}`);
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const okAud = [ATLASSIAN_AUTH_SERVER, ...input.audiences].map(trim);
  if (!aud.some((a) => typeof a === 'string' && okAud.includes(trim(a)))) return err(400, 'invalid_grant', 'aud is not the authorization server');
  if (typeof claims.tnt !== 'string' || trim(claims.tnt) !== trim(site.baseUrl)) {
    return err(400, 'invalid_grant', 'tnt is not the site baseUrl');
  }
  const sub = typeof claims.sub === 'string' && claims.sub.startsWith(USER_PREFIX) ? claims.sub.slice(USER_PREFIX.length) : undefined;
  if (!sub) return err(400, 'invalid_grant', `sub must be ${USER_PREFIX}{accountId}`);
  if (!userByAccountId(sub)) return err(400, 'invalid_grant', 'no such user on this site');
  const granted = site.descriptor!.scopes.map((s) => s.toUpperCase());
  if (!granted.includes('ACT_AS_USER')) return err(400, 'invalid_grant', 'the app does not have the ACT_AS_USER scope');
  const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean).map((s) => s.toUpperCase());
  const scopes = requested.length ? requested : granted.filter((s) => s !== 'ACT_AS_USER');
  const missing = scopes.filter((s) => !granted.includes(s));
  if (missing.length) return err(400, 'invalid_scope', `scopes not granted to the app: ${missing.join(' ')}`);
  const token = input.tokens.issue({
    clientKey: site.clientKey,
    accountId: sub,
    scopes,
    expiresAt: now.getTime() + input.ttlSeconds * 1000,
  });
  return { status: 200, body: { access_token: token, expires_in: input.ttlSeconds, token_type: 'Bearer', scope: scopes.join(' ') } };
}
