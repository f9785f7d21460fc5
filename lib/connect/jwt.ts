import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { isSafeKey } from './context';
import { ConnectError, type ErrorCode } from './errors';

/**
 * JWT parsing and verification for the Connect token kinds. Algorithms are pinned per kind
 * (HS256 for product and context tokens, RS256 for signed installs); `alg: none` and any
 * algorithm not pinned is refused before a key is looked at.
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt/
 */

export interface ConnectClaims extends JWTPayload {
  iss: string;
  sub?: string;
  qsh?: string;
  context?: Record<string, unknown>;
}

export interface UnverifiedToken {
  header: { alg?: string; kid?: string; typ?: string };
  claims: ConnectClaims;
}

const MAX_TOKEN_LENGTH = 8192;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Reads header and claims without trusting them (to find the issuer or key id). */
export function decodeUnverified(token: string): UnverifiedToken {
  if (token.length > MAX_TOKEN_LENGTH || !JWT_SHAPE.test(token)) {
    throw new ConnectError('JWT_MALFORMED', 'token is not a compact JWS');
  }
  let header: UnverifiedToken['header'];
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token) as UnverifiedToken['header'];
    claims = decodeJwt(token);
  } catch (err) {
    throw new ConnectError('JWT_MALFORMED', 'token header or claims are not valid JSON', { cause: err });
  }
  // iss and sub become lookup keys (tenant, account): no control characters, bounded, before any lookup.
  if (!isSafeKey(claims.iss, 255)) throw new ConnectError('JWT_CLAIMS', 'iss missing or invalid');
  if (claims.sub !== undefined && claims.sub !== '' && !isSafeKey(claims.sub, 128)) throw new ConnectError('JWT_CLAIMS', 'sub invalid');
  if (claims.qsh !== undefined && typeof claims.qsh !== 'string') {
    throw new ConnectError('JWT_CLAIMS', 'qsh invalid');
  }
  return { header, claims: claims as ConnectClaims };
}

export interface VerifyOptions {
  algorithm: 'HS256' | 'RS256';
  /** Clock leeway in seconds. */
  leewaySeconds: number;
  audience?: string | string[];
  issuer?: string;
  /** For tests: the current time. */
  currentDate?: Date;
}

/**
 * Verifies signature, algorithm, `exp` (required), `iat`/`nbf` with leeway, and optional aud/iss.
 * Every failure becomes a ConnectError with a JWT_* code (HTTP 401).
 */
export async function verifyJwt(
  token: string,
  key: CryptoKey | Uint8Array,
  opts: VerifyOptions,
): Promise<ConnectClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [opts.algorithm],
      clockTolerance: opts.leewaySeconds,
      requiredClaims: ['exp', 'iss'],
      audience: opts.audience,
      issuer: opts.issuer,
      currentDate: opts.currentDate,
    });
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds(opts.currentDate) + opts.leewaySeconds) {
      throw new ConnectError('JWT_NOT_YET_VALID', 'iat is in the future');
    }
    return payload as ConnectClaims;
  } catch (err) {
    throw mapJoseError(err);
  }
}

function nowSeconds(d?: Date): number {
  return Math.floor((d ?? new Date()).getTime() / 1000);
}

export function mapJoseError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const e = err as { code?: string; claim?: string; message?: string };
  let code: ErrorCode = 'JWT_MALFORMED';
  switch (true) {
    case err instanceof joseErrors.JWTExpired:
      code = 'JWT_EXPIRED';
      break;
    case err instanceof joseErrors.JOSEAlgNotAllowed:
    case err instanceof joseErrors.JOSENotSupported:
      code = 'JWT_ALGORITHM';
      break;
    case err instanceof joseErrors.JWSSignatureVerificationFailed:
      code = 'JWT_SIGNATURE';
      break;
    case err instanceof joseErrors.JWTClaimValidationFailed:
      code = e.claim === 'aud' ? 'JWT_AUDIENCE' : e.claim === 'iss' ? 'JWT_ISSUER' : e.claim === 'nbf' || e.claim === 'iat' ? 'JWT_NOT_YET_VALID' : 'JWT_CLAIMS';
      break;
    default:
      code = 'JWT_MALFORMED';
  }
  return new ConnectError(code, e.message ?? String(err), { cause: err });
}

/** Header `Authorization: JWT <token>` or query `?jwt=` (iframe page loads). */
export function tokenFromRequest(headers: Headers, url: URL, allowQuery: boolean): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^JWT\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  if (allowQuery) {
    const fromQuery = url.searchParams.getAll('jwt');
    if (fromQuery.length > 1) throw new ConnectError('JWT_MALFORMED', 'more than one jwt parameter');
    if (fromQuery[0]) return fromQuery[0];
  }
  return undefined;
}

const encoder = new TextEncoder();

/** Imports an HS256 key once, so hot paths do not re-import the shared secret per request. */
export async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}
