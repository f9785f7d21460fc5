import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
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
 *
 * HS256 with a Node key (hmacKey, or raw bytes) is checked here with node:crypto's HMAC, the
 * rules being jose's own (see verifyHs256); anything else (RS256, a WebCrypto key) by jose.
 */
export async function verifyJwt(
  token: string,
  key: CryptoKey | KeyObject | Uint8Array,
  opts: VerifyOptions,
): Promise<ConnectClaims> {
  if (opts.algorithm === 'HS256' && !isCryptoKey(key)) return verifyHs256(token, key, opts);
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const isCryptoKey = (key: unknown): key is CryptoKey => typeof CryptoKey !== 'undefined' && key instanceof CryptoKey;

/**
 * HS256 on the request's own thread. WebCrypto's HMAC, which jose uses, is a job on libuv's
 * thread pool in Node: ~25 µs and two promise hops per token against ~5 µs here, a tenth of a
 * page load's CPU (issue 13: the page JWT is new on every page load, so it cannot be memoised).
 * The rules are jose's jwtVerify with the options verifyJwt gives it, failure for failure: the
 * header must be a JSON object naming `alg: HS256` with no `crit` or `b64`; the signature must
 * be the HMAC-SHA256 of `header.payload` under the key (compared in constant time); then `exp`
 * and `iss` present, `iss`/`aud` as asked, `nbf`/`iat`/`exp` numbers, `nbf` not after now +
 * leeway, `exp` after now − leeway, `iat` not after now + leeway.
 */
export function verifyHs256(token: string, key: KeyObject | Uint8Array, opts: Omit<VerifyOptions, 'algorithm'>): ConnectClaims {
  const { header, claims } = decodeUnverified(token);
  if (header.alg !== 'HS256') throw new ConnectError('JWT_ALGORITHM', `"alg" (Algorithm) Header Parameter value not allowed: ${String(header.alg)}`);
  if ('b64' in header) throw new ConnectError('JWT_MALFORMED', 'the "b64" header parameter is not supported');
  if ('crit' in header) throw new ConnectError('JWT_ALGORITHM', 'the "crit" header parameter is not supported');
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(token.slice(0, dot)).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new ConnectError('JWT_SIGNATURE', 'signature verification failed');
  try {
    strictUtf8.decode(Buffer.from(token.slice(token.indexOf('.') + 1, dot), 'base64url'));
  } catch {
    throw new ConnectError('JWT_MALFORMED', 'JWT Claims Set must be a top-level JSON object');
  }
  if (opts.audience !== undefined && !Object.hasOwn(claims, 'aud')) throw new ConnectError('JWT_AUDIENCE', 'missing required "aud" claim');
  if (!Object.hasOwn(claims, 'exp')) throw new ConnectError('JWT_CLAIMS', 'missing required "exp" claim');
  if (opts.issuer !== undefined && !(Array.isArray(opts.issuer) ? opts.issuer : [opts.issuer]).includes(claims.iss)) throw new ConnectError('JWT_ISSUER', 'unexpected "iss" claim value');
  if (opts.audience !== undefined) {
    const wanted = typeof opts.audience === 'string' ? [opts.audience] : opts.audience;
    const aud = claims.aud;
    if (!(typeof aud === 'string' ? wanted.includes(aud) : Array.isArray(aud) && wanted.some((a) => aud.includes(a)))) throw new ConnectError('JWT_AUDIENCE', 'unexpected "aud" claim value');
  }
  const now = nowSeconds(opts.currentDate);
  const tolerance = opts.leewaySeconds;
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (claims[claim] !== undefined && typeof claims[claim] !== 'number') throw new ConnectError(claim === 'exp' ? 'JWT_CLAIMS' : 'JWT_NOT_YET_VALID', `"${claim}" claim must be a number`);
  }
  if (claims.nbf !== undefined && claims.nbf > now + tolerance) throw new ConnectError('JWT_NOT_YET_VALID', '"nbf" claim timestamp check failed');
  if ((claims.exp as number) <= now - tolerance) throw new ConnectError('JWT_EXPIRED', '"exp" claim timestamp check failed');
  if (claims.iat !== undefined && claims.iat > now + tolerance) throw new ConnectError('JWT_NOT_YET_VALID', 'iat is in the future');
  return claims;
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

/**
 * The HS256 key of a shared secret, made once per tenant so hot paths do not re-make it per
 * request: a Node KeyObject, which verifyJwt checks with node:crypto's HMAC.
 */
export function hmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
