import { decodeJwt } from 'jose';
import type { CallAuth } from './call-auth';
import { ProductApiError, type ProductApiErrorInit } from './errors';
import { productUrl } from './product-url';

/**
 * Product calls of a Forge-adopted site with the tokens Forge hands the remote on each
 * invocation: `x-forge-oauth-system` (the app's bot user, "as app") and `x-forge-oauth-user`
 * (the calling user, "as user"), sent as `Authorization: Bearer` to the API base URL the
 * invocation token names in `app.apiBaseUrl` (`https://api.atlassian.com/ex/<product>/<cloudId>`).
 * Both tokens are JWTs whose `exp` is their end of life.
 * https://developer.atlassian.com/platform/forge/remote/calling-product-apis/
 * https://developer.atlassian.com/platform/forge/manifest-reference/scopes-forge/ (read:app-system-token, read:app-user-token)
 *
 * The tokens live in this closure only: never on an object a logger or JSON.stringify could
 * walk, never in an error, never at rest. They are usable until the earlier of their `exp` and
 * `dispose()` (the Forge wrapper disposes them when the invocation's handler returns).
 */

export type ForgeTokenKind = 'system' | 'user';

export type ForgeTokenProblem = 'missing' | 'expired' | 'disposed';

/** A Forge token cannot be used: the call was not sent (and never falls back to the other identity). */
export class ForgeTokenError extends ProductApiError {
  override name = 'ForgeTokenError';
  constructor(
    readonly token: ForgeTokenKind,
    readonly problem: ForgeTokenProblem,
    init: ProductApiErrorInit = {},
  ) {
    super('auth', FORGE_TOKEN_MESSAGES[problem](token), init);
  }

  /** Keeps the type (and what was wrong) through the pipeline's bookkeeping. */
  override with(init: Partial<ProductApiErrorInit>): ForgeTokenError {
    const base = super.with(init);
    return new ForgeTokenError(this.token, this.problem, { ...base, cause: base.cause });
  }
}

const FORGE_TOKEN_MESSAGES: Record<ForgeTokenProblem, (k: ForgeTokenKind) => string> = {
  missing: (k) =>
    k === 'user'
      ? 'this Forge invocation carries no user token (x-forge-oauth-user): only UI invocations of an endpoint with auth.appUserToken get one'
      : 'this Forge invocation carries no system token (x-forge-oauth-system): the endpoint needs auth.appSystemToken',
  expired: (k) => `the Forge ${k} token of this invocation has expired`,
  disposed: (k) => `the Forge ${k} token was only valid during its invocation`,
};

export interface ForgeCredentialsInput {
  /** `app.apiBaseUrl` of the verified invocation token. */
  apiBaseUrl: string;
  /** `jira`, `confluence`, ... (the product the API base URL names). */
  product: string;
  systemToken?: string | null;
  userToken?: string | null;
  /** `principal` of the invocation: whom the user token acts for. */
  accountId?: string;
}

export interface ForgeCredentials {
  readonly apiBaseUrl: string;
  readonly product: string;
  readonly accountId: string | undefined;
  has(kind: ForgeTokenKind): boolean;
  /** The token, or a ForgeTokenError (missing, expired at `nowMs`, disposed). */
  bearer(kind: ForgeTokenKind, nowMs: number, init?: ProductApiErrorInit): string;
  /** Forgets both tokens; every later call fails with `disposed`. */
  dispose(): void;
  toJSON(): object;
}

/** Seconds-resolution `exp` of a JWT, without trusting it (the product verifies the token). */
function expiryMs(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : Infinity;
  } catch {
    return Infinity;
  }
}

export function forgeCredentials(input: ForgeCredentialsInput): ForgeCredentials {
  type Held = { token: string; expiresAt: number };
  const hold = (t: string | null | undefined): Held | undefined => (t ? { token: t, expiresAt: expiryMs(t) } : undefined);
  let held: Partial<Record<ForgeTokenKind, Held>> = { system: hold(input.systemToken), user: hold(input.userToken) };
  let disposed = false;
  const apiBaseUrl = input.apiBaseUrl.replace(/\/+$/, '');
  const redacted = () => ({ apiBaseUrl, product: input.product, system: !!held.system, user: !!held.user, disposed });
  return {
    apiBaseUrl,
    product: input.product,
    accountId: input.accountId,
    has: (kind) => !!held[kind],
    bearer(kind, nowMs, init) {
      if (disposed) throw new ForgeTokenError(kind, 'disposed', init);
      const h = held[kind];
      if (!h) throw new ForgeTokenError(kind, 'missing', init);
      if (nowMs >= h.expiresAt) {
        // Drop the value, remember why: later calls still say "expired", not "missing".
        held = { ...held, [kind]: { token: '', expiresAt: 0 } };
        throw new ForgeTokenError(kind, 'expired', init);
      }
      return h.token;
    },
    dispose() {
      disposed = true;
      held = {};
    },
    toJSON: redacted,
    // util.inspect (pino, console) shows the same redacted view.
    [Symbol.for('nodejs.util.inspect.custom')]: redacted,
  } as ForgeCredentials;
}

/**
 * Confluence's REST API sits under `/wiki` of the gateway URL as it does under the site URL,
 * so paths written for the Connect baseUrl work unchanged; `siteRoot` calls leave it off.
 */
function contextPath(product: string): string {
  return product === 'confluence' ? '/wiki' : '';
}

export interface ForgeAuthDeps {
  now: () => number;
  /** Defence in depth: the API base URL must be Atlassian's gateway or an allowed product host. */
  isAllowedApiBaseUrl?: (apiBaseUrl: string) => boolean;
}

/** The pipeline's transport for a Forge call: the invocation's bearer to its API base URL. */
export function forgeAuth(deps: ForgeAuthDeps, creds: ForgeCredentials, kind: ForgeTokenKind, init: ProductApiErrorInit): CallAuth {
  return {
    async prepare(path, opts) {
      if (deps.isAllowedApiBaseUrl && !deps.isAllowedApiBaseUrl(creds.apiBaseUrl)) {
        throw new ProductApiError('not_installed', 'the invocation API base URL is not an allowed product host', init);
      }
      // Checked before anything is sent, and again per attempt: a retry never outlives the token.
      creds.bearer(kind, deps.now(), init);
      const base = opts.siteRoot ? creds.apiBaseUrl : `${creds.apiBaseUrl}${contextPath(creds.product)}`;
      const url = productUrl(base, path, opts.query);
      // An expiry between attempts is an `auth` failure, which the breaker does not count against the site.
      return { url, authorization: async () => `Bearer ${creds.bearer(kind, deps.now(), init)}` };
    },
  };
}

/** Atlassian's API gateway: where `app.apiBaseUrl` points in production. */
export function isAtlassianApiGateway(apiBaseUrl: string): boolean {
  try {
    const u = new URL(apiBaseUrl);
    return u.protocol === 'https:' && u.hostname === 'api.atlassian.com' && !u.port && !u.username && !u.password;
  } catch {
    return false;
  }
}
