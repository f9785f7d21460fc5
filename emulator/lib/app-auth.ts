import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { OAuthTokens } from './oauth';
import { productQsh } from './qsh';
import type { Site } from './state';

/**
 * How the product authenticates the app's REST calls: `Authorization: JWT <HS256 token>` with
 * `iss` = the app key, signed with the site's current shared secret, and a qsh computed for
 * exactly this request relative to the site's baseUrl; or `Authorization: Bearer <token>` from
 * the OAuth2 JWT-bearer grant (acting as a user). A `?jwt=` query token is refused, as Atlassian
 * has done since 2022.
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/
 */

export type AuthFailure =
  | 'QUERY_JWT_REFUSED'
  | 'AUTH_MISSING'
  | 'AUTH_SCHEME'
  | 'NOT_INSTALLED'
  | 'APP_DISABLED'
  | 'JWT_MALFORMED'
  | 'JWT_ALGORITHM'
  | 'JWT_ISSUER'
  | 'JWT_SIGNATURE'
  | 'JWT_EXPIRED'
  | 'JWT_NOT_YET_VALID'
  | 'QSH_MISSING'
  | 'QSH_CONTEXT'
  | 'QSH_MISMATCH'
  | 'BEARER_UNKNOWN'
  | 'BEARER_EXPIRED'
  // Forge product tokens at the API gateway (emulator/forge/product-tokens.ts).
  | 'FORGE_TOKEN_INVALID'
  | 'FORGE_TOKEN_EXPIRED'
  | 'FORGE_TOKEN_OTHER_SITE'
  | 'FORGE_TOKEN_OTHER_INSTALLATION'
  | 'FORGE_USER_NO_ACCESS';

export class ProductAuthError extends Error {
  override name = 'ProductAuthError';
  constructor(
    readonly code: AuthFailure,
    message: string,
  ) {
    super(message);
  }
}

export type Principal =
  | { kind: 'app'; clientKey: string }
  | { kind: 'user'; clientKey: string; accountId: string; scopes: string[]; via: 'bearer' | 'bridge' };

export interface VerifyInput {
  method: string;
  /** The full request URL as received. */
  url: URL;
  authorization: string | undefined;
  site: Site;
  tokens: OAuthTokens;
  leewaySeconds: number;
  now?: Date;
}

const fail = (code: AuthFailure, message: string): never => {
  throw new ProductAuthError(code, message);
};

export async function verifyAppRequest(input: VerifyInput): Promise<Principal> {
  const { site, url } = input;
  if (url.searchParams.has('jwt')) fail('QUERY_JWT_REFUSED', 'JWT in the query string is not accepted; use the Authorization header');
  if (!site.installed || !site.sharedSecret || !site.descriptor) fail('NOT_INSTALLED', 'the app is not installed on this site');
  if (!site.enabled) fail('APP_DISABLED', 'the app is disabled on this site');
  const auth = input.authorization?.trim();
  if (!auth) fail('AUTH_MISSING', 'no Authorization header');
  const [scheme, token, ...rest] = auth!.split(/\s+/);
  if (!token || rest.length) fail('AUTH_SCHEME', 'Authorization header is not "<scheme> <token>"');
  const now = input.now ?? new Date();
  if (/^bearer$/i.test(scheme!)) {
    const grant = input.tokens.lookup(token!);
    if (!grant || grant.clientKey !== site.clientKey) fail('BEARER_UNKNOWN', 'unknown access token');
    if (grant!.expiresAt <= now.getTime()) fail('BEARER_EXPIRED', 'access token expired');
    return { kind: 'user', clientKey: site.clientKey, accountId: grant!.accountId, scopes: grant!.scopes, via: 'bearer' };
  }
  if (!/^jwt$/i.test(scheme!)) fail('AUTH_SCHEME', `unsupported Authorization scheme ${scheme}`);

  let header: { alg?: string };
  let unverified: { iss?: unknown };
  try {
    header = decodeProtectedHeader(token!);
    unverified = decodeJwt(token!);
  } catch {
    return fail('JWT_MALFORMED', 'token is not a JWT');
  }
  if (header.alg !== 'HS256') fail('JWT_ALGORITHM', `expected HS256, got ${String(header.alg)}`);
  if (unverified.iss !== site.descriptor!.key) fail('JWT_ISSUER', 'iss is not the installed app key');
  let claims: { qsh?: unknown; iat?: number };
  try {
    ({ payload: claims } = await jwtVerify(token!, new TextEncoder().encode(site.sharedSecret!), {
      algorithms: ['HS256'],
      clockTolerance: input.leewaySeconds,
      requiredClaims: ['exp', 'iat', 'iss'],
      currentDate: now,
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) return fail('JWT_EXPIRED', 'token expired');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) return fail('JWT_SIGNATURE', 'signature does not verify with the current shared secret');
    if (err instanceof joseErrors.JWTClaimValidationFailed && (err.claim === 'nbf' || err.claim === 'iat')) {
      return fail('JWT_NOT_YET_VALID', 'token not yet valid');
    }
    return fail('JWT_MALFORMED', `token rejected: ${(err as Error).message}`);
  }
  if (typeof claims.iat === 'number' && claims.iat > now.getTime() / 1000 + input.leewaySeconds) {
    fail('JWT_NOT_YET_VALID', 'iat is in the future');
  }
  if (typeof claims.qsh !== 'string' || !claims.qsh) fail('QSH_MISSING', 'qsh claim missing');
  if (claims.qsh === 'context-qsh') fail('QSH_CONTEXT', 'a context token cannot call product REST APIs');
  if (claims.qsh !== productQsh(input.method, url.toString(), site.baseUrl)) {
    fail('QSH_MISMATCH', 'qsh does not match this request (method, path relative to the site baseUrl, query)');
  }
  return { kind: 'app', clientKey: site.clientKey };
}
