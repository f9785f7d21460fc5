import type { RequestContext } from './auth';
import { ConnectError } from './errors';
import { isProductApiError, productErrorToConnectError } from './product/errors';
import type { CachedProductReads } from './product/cached-reads';

/**
 * Access policies a route declares instead of checking by hand:
 * `withApiAuth(handler, { require: ['writer', 'siteAdmin'], scope: 'issue' })`.
 * Each policy throws the ConnectError a client should see (403 with a stable code).
 */
export type Policy = (ctx: RequestContext, req: Request) => void | Promise<void>;

export type BuiltInPolicy =
  /** The license the product signed (or told, for context JWTs) is active: 403 LICENSE_REQUIRED. */
  | 'licensed'
  /** A signed-in user (an accountId): 403 FORBIDDEN. */
  | 'user'
  /** Both: every write, since changes are attributed to an account. */
  | 'writer'
  /** The product says the user is a site admin (answer trusted for a minute): 403 ADMIN_REQUIRED. */
  | 'siteAdmin'
  /** The same, asked of the product now (destructive actions). */
  | 'siteAdminNow';

export type PolicyName = BuiltInPolicy | (string & {});

/** Where the token was issued must be where the route acts: the `issueId` route parameter is the token's issue. */
export type ScopeRule = 'issue';

const ISSUE_ID = /^\d{1,18}$/;

export function builtInPolicies(reads: () => CachedProductReads): Record<BuiltInPolicy, Policy> {
  const licensed: Policy = (ctx) => {
    if (!ctx.license.licensed) throw new ConnectError('LICENSE_REQUIRED', `license ${ctx.license.param}`);
  };
  const user: Policy = (ctx) => {
    if (!ctx.accountId) throw new ConnectError('FORBIDDEN', 'anonymous user', { publicMessage: 'Log in to make changes' });
  };
  const admin = (fresh: boolean): Policy => async (ctx) => {
    let yes: boolean;
    try {
      yes = await reads().isSiteAdmin(ctx.clientKey, ctx.accountId, { fresh });
    } catch (err) {
      // Fails closed: a product that cannot answer never grants access.
      if (!isProductApiError(err)) throw err;
      const mapped = productErrorToConnectError(err);
      throw mapped.code === 'NOT_FOUND' ? new ConnectError('PRODUCT_UNAVAILABLE', mapped.message, { cause: err }) : mapped;
    }
    if (!yes) throw new ConnectError('ADMIN_REQUIRED', 'caller is not a site admin');
  };
  return {
    licensed,
    user,
    writer: async (ctx, req) => {
      await licensed(ctx, req);
      await user(ctx, req);
    },
    siteAdmin: admin(false),
    siteAdminNow: admin(true),
  };
}

/**
 * The token must have been issued where the route acts (panel session or context JWT of the
 * issue view): a user who can open one issue must not read or change another by guessing its id.
 * A malformed id is a 422 before anything is compared.
 */
export function checkScope(rule: ScopeRule, ctx: RequestContext, params: Record<string, string | string[] | undefined>): void {
  if (rule !== 'issue') throw new Error(`unknown scope rule ${String(rule)}`);
  const issueId = params.issueId;
  if (typeof issueId !== 'string' || !ISSUE_ID.test(issueId)) {
    throw new ConnectError('VALIDATION_FAILED', 'issue id param invalid', { publicMessage: 'Invalid issue id', issues: [{ path: 'issueId', message: 'Invalid issue id' }] });
  }
  if (ctx.scope?.issueId !== issueId) {
    throw new ConnectError('FORBIDDEN', `token scope ${ctx.scope?.issueId ?? 'none'} is not issue ${issueId}`, {
      publicMessage: 'This token was not issued for this issue',
    });
  }
}

/** The session rule of PolicyOptions: a session token of one of these modules, recent enough. */
export function checkSession(rule: { modules: readonly string[]; maxAgeSeconds?: number }, ctx: RequestContext, now: Date): void {
  if (ctx.tokenKind !== 'session' || !ctx.module || !rule.modules.includes(ctx.module)) {
    throw new ConnectError('SESSION_REQUIRED', `needs a session of ${rule.modules.join('/')}, got ${ctx.tokenKind}${ctx.module ? ` (${ctx.module})` : ''}`, {
      publicMessage: 'Open this from the app\'s own page (reload it) and try again',
    });
  }
  const age = ctx.sessionIssuedAt ? (now.getTime() - ctx.sessionIssuedAt.getTime()) / 1000 : Infinity;
  if (rule.maxAgeSeconds !== undefined && age > rule.maxAgeSeconds) {
    throw new ConnectError('SESSION_REQUIRED', `session ${Math.round(age)} s old, at most ${rule.maxAgeSeconds} s`, {
      publicMessage: 'For your safety, reload the page and confirm again',
    });
  }
}
