import type { SqlClient } from '../jobs/types';
import { parseRetryAfter } from './retry-delay';

/**
 * Jira's and Confluence's points-based rate limits (enforced since 2 March 2026), as the client
 * reacts to them. Three limits apply at once, each to its own scope, and a 429 names the one hit
 * in `RateLimit-Reason` (https://developer.atlassian.com/cloud/jira/platform/rate-limiting,
 * "Build an app that respects rate limits"):
 *
 * | reason                                  | scope                               | pause here            |
 * |-----------------------------------------|-------------------------------------|-----------------------|
 * | `jira-burst-based`                      | one site + endpoint + HTTP method   | that endpoint only    |
 * | `jira-per-issue-on-write`               | one issue                           | writes to that issue  |
 * | a quota reason naming the site/tenant   | one site, hourly points             | every call to the site|
 * | a quota reason naming the app-wide pool | every site of the app, hourly points| every call, all sites |
 *
 * An unknown or missing reason pauses the narrowest scope (the endpoint): Jira's 429s without a
 * reason are the older per-endpoint limits. A pause lasts until the later of `Retry-After` and
 * `X-RateLimit-Reset` (retrying earlier only earns the same or a longer wait), and is shared by
 * every instance of the app through {@link RateLimitState} (PostgreSQL in production), so no
 * instance sends a request into a scope another instance was told to leave alone.
 */
export type LimitKind = 'burst' | 'issue' | 'site' | 'app';

export function limitKind(reason: string | null | undefined): LimitKind {
  const r = (reason ?? '').trim().toLowerCase();
  if (r === 'jira-per-issue-on-write' || r === 'confluence-per-page-on-write') return 'issue';
  if (r.includes('quota')) return /global|app|pool/.test(r) ? 'app' : 'site';
  return 'burst';
}

/** The rate-limit scopes one call falls in, as keys of the shared state. */
export interface CallScopes {
  burst: string;
  /** Writes to one issue only. */
  issue?: string;
  site: string;
  app: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** `/rest/api/3/issue/{idOrKey}/…` (Jira) — the issue a write touches. */
const ISSUE_PATH = /^\/rest\/api\/[23]\/issue\/([^/]+)(?:\/|$)/;

/**
 * The endpoint a path belongs to, for the burst scope: ids and issue keys become `{}` so that
 * every issue's `GET /issue/{}` shares one scope (as Jira counts them), and the query is dropped.
 */
export function endpointOf(path: string): string {
  const segs = (path.split('?')[0] ?? path).split('/');
  // (the version after `api` stays: /rest/api/3)
  return segs.map((seg, i) => ((/^\d+$/.test(seg) && segs[i - 1] !== 'api') || /^[A-Z][A-Z0-9_]+-\d+$/.test(seg) || /^[0-9a-f-]{32,36}$/i.test(seg) ? '{}' : seg)).join('/');
}

export function callScopes(clientKey: string, method: string, path: string): CallScopes {
  const m = method.toUpperCase();
  const issue = WRITE_METHODS.has(m) ? ISSUE_PATH.exec(path.split('?')[0] ?? path)?.[1] : undefined;
  return {
    burst: `burst:${clientKey}:${m}:${endpointOf(path)}`,
    ...(issue ? { issue: `issue:${clientKey}:${decodeURIComponent(issue)}` } : {}),
    site: `site:${clientKey}`,
    app: 'app',
  };
}

export function scopeKeys(s: CallScopes): string[] {
  return s.issue ? [s.app, s.site, s.burst, s.issue] : [s.app, s.site, s.burst];
}

/** The scope key a 429 of this kind pauses, for this call. */
export function scopeFor(kind: LimitKind, s: CallScopes): string {
  if (kind === 'issue') return s.issue ?? s.burst;
  return kind === 'site' ? s.site : kind === 'app' ? s.app : s.burst;
}

/**
 * When the scope may be called again (epoch ms): the later of `Retry-After` and
 * `X-RateLimit-Reset`; `fallbackMs` from now when the product gave neither (or nothing usable).
 */
export function resumeAt(headers: Headers, now: number, fallbackMs = 1_000): number {
  const after = parseRetryAfter(headers.get('retry-after'), now);
  const resetRaw = headers.get('x-ratelimit-reset');
  const reset = resetRaw ? Date.parse(resetRaw) : NaN;
  const candidates = [after !== undefined ? now + after : undefined, Number.isNaN(reset) ? undefined : reset].filter((v): v is number => v !== undefined);
  // A reset far in the future is a misread, not a plan: at most a day (the hourly quota's worst case plus margin).
  const at = candidates.length ? Math.max(...candidates) : now + fallbackMs;
  return Math.min(Math.max(at, now), now + 24 * 3_600_000);
}

export interface Pause {
  key: string;
  /** Epoch ms. */
  until: number;
  /** The product's `RateLimit-Reason` (or `status-429`). */
  reason: string;
}

/** Where pauses live: in process for one instance, in the database for all of them. */
export interface RateLimitState {
  /** The pause in force over any of `keys` at `now` that ends last, or null. */
  paused(keys: readonly string[], now: number): Promise<Pause | null>;
  /** Records a pause; an existing later pause of the same key stays. */
  pause(p: Pause): Promise<void>;
}

/** Pauses in this process only: the embedded database's single instance, and tests. */
export class MemoryRateLimitState implements RateLimitState {
  private readonly pauses = new Map<string, Pause>();
  constructor(private readonly maxKeys = 10_000) {}

  async paused(keys: readonly string[], now: number): Promise<Pause | null> {
    return latest(keys.map((k) => this.pauses.get(k)), now);
  }

  async pause(p: Pause): Promise<void> {
    const cur = this.pauses.get(p.key);
    if (cur && cur.until >= p.until) return;
    if (this.pauses.size >= this.maxKeys) this.sweep(Date.now());
    this.pauses.set(p.key, p);
  }

  private sweep(now: number): void {
    for (const [k, p] of this.pauses) if (p.until <= now) this.pauses.delete(k);
    // Still full of live pauses: drop the oldest (a lost pause only costs one more 429).
    while (this.pauses.size >= this.maxKeys) this.pauses.delete(this.pauses.keys().next().value!);
  }
}

function latest(candidates: readonly (Pause | undefined)[], now: number): Pause | null {
  let best: Pause | null = null;
  for (const p of candidates) if (p && p.until > now && (!best || p.until > best.until)) best = p;
  return best;
}

/**
 * The table SqlRateLimitState needs, for apps that manage their own migrations (the reference
 * app's is prisma/migrations/20261204000000_rate_limit_pauses; a test checks the two agree).
 */
export const RATE_LIMIT_TABLE_SQL = `
CREATE TABLE "ConnectRateLimitPause" (
    "key" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "ConnectRateLimitPause_pkey" PRIMARY KEY ("key")
);
`;

/**
 * Pauses in the app's database, shared by every instance (table `ConnectRateLimitPause`, see
 * RATE_LIMIT_TABLE_SQL). Each instance also keeps the pauses it learnt in memory, so its own
 * calls never wait on a read; other instances' pauses are read at most every `refreshMs` per key
 * set (default 250 ms): an instance may send at most that long into a scope another instance just
 * saw paused, and that one request gets the same 429 and joins the pause. When the database does
 * not answer, each instance goes on with the pauses it knows (`onError` is told).
 */
export class SqlRateLimitState implements RateLimitState {
  private readonly local = new MemoryRateLimitState();
  private readonly read = new Map<string, { at: number; pause: Pause | null }>();

  constructor(
    private readonly sql: SqlClient,
    private readonly opts: { refreshMs?: number; now?: () => number; onError?: (err: unknown) => void } = {},
  ) {}

  async paused(keys: readonly string[], now: number): Promise<Pause | null> {
    const mine = await this.local.paused(keys, now);
    const id = keys.join('\n');
    const clock = (this.opts.now ?? Date.now)();
    let shared = this.read.get(id);
    if (!shared || clock - shared.at >= (this.opts.refreshMs ?? 250)) {
      let pause: Pause | null = shared?.pause ?? null;
      try {
        const rows = await this.sql.query<{ key: string; until: Date | string; reason: string }>(
          `SELECT "key", "until", "reason" FROM "ConnectRateLimitPause" WHERE "key" = ANY($1::text[]) AND "until" > $2::timestamptz`,
          [keys, new Date(now).toISOString()],
        );
        pause = latest(rows.map((r) => ({ key: r.key, until: new Date(r.until).getTime(), reason: r.reason })), now);
      } catch (err) {
        // The database is away: go on with what this instance knows (a product call must not fail for it).
        this.opts.onError?.(err);
      }
      shared = { at: clock, pause };
      if (this.read.size > 10_000) this.read.clear();
      this.read.set(id, shared);
    }
    return latest([mine ?? undefined, shared.pause ?? undefined], now);
  }

  async pause(p: Pause): Promise<void> {
    await this.local.pause(p);
    try {
      await this.sql.query(
        `INSERT INTO "ConnectRateLimitPause" ("key", "until", "reason") VALUES ($1, $2::timestamptz, $3)
         ON CONFLICT ("key") DO UPDATE SET "until" = GREATEST("ConnectRateLimitPause"."until", EXCLUDED."until"),
           "reason" = CASE WHEN EXCLUDED."until" > "ConnectRateLimitPause"."until" THEN EXCLUDED."reason" ELSE "ConnectRateLimitPause"."reason" END`,
        [p.key, new Date(p.until).toISOString(), p.reason],
      );
    } catch (err) {
      // Kept in this instance; the others learn it from their own 429.
      this.opts.onError?.(err);
    }
  }

  /** Deletes pauses that ended before `before` (maintenance; a few rows per limited scope). */
  async prune(before: number): Promise<number> {
    const rows = await this.sql.query<{ key: string }>(`DELETE FROM "ConnectRateLimitPause" WHERE "until" < $1::timestamptz RETURNING "key"`, [new Date(before).toISOString()]);
    return rows.length;
  }
}
