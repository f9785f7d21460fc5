import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { ConnectError } from '../errors';
import { mapJoseError } from '../jwt';
import { appAri } from './app-id';

/**
 * Forge invocation tokens (FIT): what Forge sends as `Authorization: Bearer` to a remote (remote
 * resolvers, events, lifecycle triggers). RS256 only, signed by a key in Forge's JWKS, `iss`
 * `forge/invocation-token`, `aud` the app's ARI. Claim layout:
 * https://developer.atlassian.com/platform/forge/remote/essentials/#the-forge-invocation-token--fit-
 * (verification requirements: same page, "Verifying remote requests").
 */

export const FIT_ISSUER = 'forge/invocation-token';
const MAX_TOKEN_LENGTH = 16_384;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const nonEmpty = z.string().min(1).max(1024);
const installationAri = z.string().regex(/^ari:cloud:ecosystem::installation\/[A-Za-z0-9-]{1,64}$/);

/** The claims we rely on; everything else is allowed and ignored (Forge adds fields over time). */
const fitClaims = z.looseObject({
  app: z.looseObject({
    id: nonEmpty,
    installationId: installationAri,
    apiBaseUrl: z.url({ protocol: /^https?$/ }).max(1024),
    environment: z.looseObject({ type: nonEmpty, id: nonEmpty }),
    module: z.looseObject({ type: nonEmpty, key: nonEmpty }).optional(),
    installation: z.looseObject({ id: installationAri }).optional(),
    license: z.looseObject({ isActive: z.boolean().optional(), active: z.boolean().optional() }).nullish(),
  }),
  context: z
    .looseObject({ cloudId: nonEmpty.optional(), siteUrl: z.url({ protocol: /^https?$/ }).max(1024).optional() })
    .optional(),
  principal: z.string().min(1).max(255).optional(),
});
export type ForgeClaims = z.infer<typeof fitClaims>;

/** What a verified invocation token says about the call. */
export interface ForgeInvocation {
  appAri: string;
  /** `ari:cloud:ecosystem::installation/<uuid>`: stable across upgrades, new on reinstall. */
  installationId: string;
  /** The site's cloud id, from `app.apiBaseUrl` (`/ex/<product>/<cloudId>`). */
  cloudId: string;
  /** The product named by `app.apiBaseUrl`: `jira`, `confluence`, ... */
  product: string;
  apiBaseUrl: string;
  /** The site URL; only sent on invocations from a UI module. */
  siteUrl?: string;
  /** `principal`: the invoking user (UI modules only). */
  accountId?: string;
  environment: { type: string; id: string };
  module?: { type: string; key: string };
  /** `app.license.isActive`; undefined when Forge sent no license (free, dev/staging). */
  licenseActive?: boolean;
  claims: ForgeClaims;
}

const API_BASE = /^\/ex\/([a-z-]{2,32})\/([A-Za-z0-9-]{1,64})\/?$/;

export interface ForgeJwksOptions {
  url: string;
  /** After a successful fetch, an unknown kid refetches only after this long (default 30 s). */
  cooldownMs?: number;
  /** Keys are refetched when older than this even for a known kid (default 10 min). */
  cacheMaxAgeMs?: number;
  timeoutMs?: number;
  /** After a failed fetch, fail fast for this long instead of refetching (default 5 s). */
  failureBackoffMs?: number;
}

/**
 * Forge's key set, cached (jose's remote JWKS: keys cached up to `cacheMaxAgeMs`, refetched when
 * an unknown `kid` appears but at most once per `cooldownMs`, concurrent fetches shared), plus a
 * short backoff after a failed fetch so a JWKS outage or an attacker sending random kids cannot
 * make us hammer Atlassian's CDN.
 */
export function forgeJwks(opts: ForgeJwksOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(opts.url), {
    cooldownDuration: opts.cooldownMs ?? 30_000,
    cacheMaxAge: opts.cacheMaxAgeMs ?? 600_000,
    timeoutDuration: opts.timeoutMs ?? 5_000,
  });
  const backoff = opts.failureBackoffMs ?? 5_000;
  let failedAt = -Infinity;
  return async (header, token) => {
    if (Date.now() - failedAt < backoff && !remote.fresh) {
      throw new ConnectError('INSTALL_KEYS_UNAVAILABLE', 'Forge JWKS failed recently; backing off', { publicMessage: 'Forge key service unavailable, try again' });
    }
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
        throw new ConnectError('INSTALL_KEY_UNKNOWN', 'no key in the Forge JWKS matches the token', { cause: err });
      }
      failedAt = Date.now();
      throw new ConnectError('INSTALL_KEYS_UNAVAILABLE', `Forge JWKS fetch failed: ${(err as Error).message}`, {
        publicMessage: 'Forge key service unavailable, try again',
        cause: err,
      });
    }
  };
}

export interface VerifyForgeOptions {
  /** The app's Forge id (UUID or ARI): `aud` must equal its ARI. */
  appId: string;
  keys: JWTVerifyGetKey;
  leewaySeconds: number;
  /** When set, a token for another Forge environment (e.g. DEVELOPMENT on production) is refused. */
  environment?: 'development' | 'staging' | 'production';
  currentDate?: Date;
}

/**
 * Verifies a Forge invocation token. The algorithm is checked before any key is looked up, so a
 * Connect HS256 token (or `alg: none`) never reaches the JWKS; `exp` is required, `iat`/`nbf`
 * may not be in the future (leeway applied); `app.id` must be the audience.
 */
export async function verifyForgeInvocationToken(token: string, opts: VerifyForgeOptions): Promise<ForgeInvocation> {
  if (token.length > MAX_TOKEN_LENGTH || !JWT_SHAPE.test(token)) throw new ConnectError('JWT_MALFORMED', 'bearer token is not a compact JWS');
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch (err) {
    throw new ConnectError('JWT_MALFORMED', 'token header is not valid JSON', { cause: err });
  }
  if (alg !== 'RS256') throw new ConnectError('JWT_ALGORITHM', `Forge invocation tokens are RS256, got ${String(alg)}`);
  const ari = appAri(opts.appId);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, opts.keys, {
      algorithms: ['RS256'],
      issuer: FIT_ISSUER,
      audience: ari,
      clockTolerance: opts.leewaySeconds,
      requiredClaims: ['exp', 'iat'],
      currentDate: opts.currentDate,
    }));
  } catch (err) {
    throw mapJoseError(err);
  }
  const now = Math.floor((opts.currentDate ?? new Date()).getTime() / 1000);
  if (typeof (payload as { iat?: unknown }).iat === 'number' && (payload as { iat: number }).iat > now + opts.leewaySeconds) {
    throw new ConnectError('JWT_NOT_YET_VALID', 'iat is in the future');
  }
  const parsed = fitClaims.safeParse(payload);
  if (!parsed.success) {
    throw new ConnectError('JWT_CLAIMS', `invocation token claims invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  return toInvocation(parsed.data, ari, opts.environment);
}

function toInvocation(c: ForgeClaims, ari: string, environment: VerifyForgeOptions['environment']): ForgeInvocation {
  if (c.app.id !== ari) throw new ConnectError('JWT_CLAIMS', 'app.id is not the audience');
  if (c.app.installation && c.app.installation.id !== c.app.installationId) {
    throw new ConnectError('JWT_CLAIMS', 'app.installation.id and app.installationId differ');
  }
  const api = new URL(c.app.apiBaseUrl);
  const m = API_BASE.exec(api.pathname);
  if (!m) throw new ConnectError('JWT_CLAIMS', 'app.apiBaseUrl does not name a product and cloud id');
  const [, product, cloudId] = m as unknown as [string, string, string];
  if (c.context?.cloudId !== undefined && c.context.cloudId !== cloudId) {
    throw new ConnectError('JWT_CLAIMS', 'context.cloudId differs from the installation cloud id');
  }
  if (environment && c.app.environment.type.toLowerCase() !== environment) {
    throw new ConnectError('JWT_CLAIMS', `token for Forge environment ${c.app.environment.type}, this deployment serves ${environment}`);
  }
  const license = c.app.license;
  return {
    appAri: ari,
    installationId: c.app.installationId,
    cloudId,
    product,
    apiBaseUrl: c.app.apiBaseUrl.replace(/\/+$/, ''),
    siteUrl: c.context?.siteUrl?.replace(/\/+$/, ''),
    accountId: c.principal,
    environment: { type: c.app.environment.type, id: c.app.environment.id },
    module: c.app.module ? { type: c.app.module.type, key: c.app.module.key } : undefined,
    licenseActive: license ? (license.isActive ?? license.active ?? false) : undefined,
    claims: c,
  };
}
