import { GLOBAL_POOL_POINTS } from './costs';

/**
 * Which of Jira's three limits the emulator enforces, and with what numbers. All three are off
 * by default (the emulator then only keeps the points ledger). Defaults when a limit is switched
 * on with `true` are the documented ones (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/):
 * quota 65,000 points per hour in one app-wide pool (Tier 1); burst GET 100, POST 100, PUT 50,
 * DELETE 50 requests per second per endpoint; per-issue writes 20 per 2 s and 100 per 30 s.
 */

export type BurstMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface QuotaConfig {
  pointsPerHour: number;
  /** 'app': Tier 1, one pool for the app across all sites; 'site': Tier 2, a pool per site. */
  scope: 'app' | 'site';
  /** Tier 2 only: a site's own quota by clientKey (e.g. from `tenantQuota(edition, users)`). */
  sites: Record<string, number>;
}

export interface BurstEndpoint {
  method: BurstMethod;
  /** A template from the cost table (`/rest/api/{version}/issue/{issueIdOrKey}`) or a literal path. */
  endpoint: string;
  perSecond: number;
  capacity?: number;
}

export interface BurstConfig {
  /** Steady-state refill rate per method (tokens per second). */
  perSecond: Record<BurstMethod, number>;
  /**
   * Bucket size as a multiple of the refill rate. Atlassian publishes no bucket sizes (its example
   * is 100 tokens at 10/s); the emulator's default is one second's worth, so the limit a test
   * sets is the number of calls that pass at once.
   */
  capacitySeconds: number;
  /** Endpoint-specific buckets, like Atlassian's custom limits; only these when `onlyListed`. */
  endpoints: BurstEndpoint[];
  onlyListed: boolean;
}

export interface WriteWindow {
  limit: number;
  seconds: number;
}

export interface RateLimitConfig {
  quota: QuotaConfig | null;
  burst: BurstConfig | null;
  perIssueWrites: { windows: WriteWindow[] } | null;
}

export const RATE_LIMITS_OFF: RateLimitConfig = { quota: null, burst: null, perIssueWrites: null };

export const DEFAULT_BURST_PER_SECOND: Record<BurstMethod, number> = { GET: 100, POST: 100, PUT: 50, PATCH: 50, DELETE: 50 };
export const DEFAULT_WRITE_WINDOWS: WriteWindow[] = [
  { limit: 20, seconds: 2 },
  { limit: 100, seconds: 30 },
];

export class RateLimitConfigError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const METHODS = Object.keys(DEFAULT_BURST_PER_SECOND) as BurstMethod[];

function count(v: unknown, name: string, max = 10_000_000): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) throw new RateLimitConfigError(`${name} must be a number above 0 (at most ${max})`);
  return v;
}

function quota(v: unknown, prev: QuotaConfig | null): QuotaConfig | null {
  if (v === false || v === null) return null;
  const base: QuotaConfig = prev ?? { pointsPerHour: GLOBAL_POOL_POINTS, scope: 'app', sites: {} };
  if (v === true) return base;
  if (!isObj(v)) throw new RateLimitConfigError('quota must be true, false or { pointsPerHour, scope, sites }');
  const q = { ...base, sites: { ...base.sites } };
  if (v.pointsPerHour !== undefined) q.pointsPerHour = Math.floor(count(v.pointsPerHour, 'quota.pointsPerHour'));
  if (v.scope !== undefined) {
    if (v.scope !== 'app' && v.scope !== 'site') throw new RateLimitConfigError("quota.scope must be 'app' or 'site'");
    q.scope = v.scope;
  }
  if (v.sites !== undefined) {
    if (!isObj(v.sites)) throw new RateLimitConfigError('quota.sites must map clientKey → points per hour');
    q.sites = Object.fromEntries(Object.entries(v.sites).map(([k, n]) => [k, Math.floor(count(n, `quota.sites.${k}`))]));
  }
  return q;
}

function burst(v: unknown, prev: BurstConfig | null): BurstConfig | null {
  if (v === false || v === null) return null;
  const base: BurstConfig = prev ?? { perSecond: { ...DEFAULT_BURST_PER_SECOND }, capacitySeconds: 1, endpoints: [], onlyListed: false };
  if (v === true) return base;
  if (!isObj(v)) throw new RateLimitConfigError('burst must be true, false or { perSecond, capacitySeconds, endpoints, onlyListed }');
  const b = { ...base, perSecond: { ...base.perSecond } };
  if (typeof v.perSecond === 'number') for (const m of METHODS) b.perSecond[m] = count(v.perSecond, 'burst.perSecond');
  else if (isObj(v.perSecond)) for (const [m, n] of Object.entries(v.perSecond)) {
    if (!METHODS.includes(m as BurstMethod)) throw new RateLimitConfigError(`burst.perSecond: unknown method ${m}`);
    b.perSecond[m as BurstMethod] = count(n, `burst.perSecond.${m}`);
  }
  else if (v.perSecond !== undefined) throw new RateLimitConfigError('burst.perSecond must be a number or { GET, POST, PUT, PATCH, DELETE }');
  if (v.capacitySeconds !== undefined) b.capacitySeconds = count(v.capacitySeconds, 'burst.capacitySeconds', 3600);
  if (v.onlyListed !== undefined) b.onlyListed = v.onlyListed === true;
  if (v.endpoints !== undefined) {
    if (!Array.isArray(v.endpoints)) throw new RateLimitConfigError('burst.endpoints must be a list');
    b.endpoints = v.endpoints.map((e: unknown, i) => {
      if (!isObj(e) || typeof e.endpoint !== 'string' || !METHODS.includes(e.method as BurstMethod)) throw new RateLimitConfigError(`burst.endpoints[${i}] needs method and endpoint`);
      return { method: e.method as BurstMethod, endpoint: e.endpoint, perSecond: count(e.perSecond, `burst.endpoints[${i}].perSecond`), ...(e.capacity === undefined ? {} : { capacity: count(e.capacity, `burst.endpoints[${i}].capacity`) }) };
    });
  }
  return b;
}

function perIssueWrites(v: unknown, prev: RateLimitConfig['perIssueWrites']): RateLimitConfig['perIssueWrites'] {
  if (v === false || v === null) return null;
  if (v === true) return prev ?? { windows: DEFAULT_WRITE_WINDOWS.map((w) => ({ ...w })) };
  if (!isObj(v) || !Array.isArray(v.windows) || v.windows.length === 0) throw new RateLimitConfigError('perIssueWrites must be true, false or { windows: [{ limit, seconds }] }');
  return {
    windows: v.windows.map((w: unknown, i) => {
      if (!isObj(w)) throw new RateLimitConfigError(`perIssueWrites.windows[${i}] must be { limit, seconds }`);
      return { limit: Math.floor(count(w.limit, `perIssueWrites.windows[${i}].limit`)), seconds: count(w.seconds, `perIssueWrites.windows[${i}].seconds`, 3600) };
    }),
  };
}

/** Applies a control-API body over the current configuration; keys left out stay as they are. */
export function applyConfig(current: RateLimitConfig, body: unknown): RateLimitConfig {
  if (!isObj(body)) throw new RateLimitConfigError('body must be an object');
  return {
    quota: 'quota' in body ? quota(body.quota, current.quota) : current.quota,
    burst: 'burst' in body ? burst(body.burst, current.burst) : current.burst,
    perIssueWrites: 'perIssueWrites' in body ? perIssueWrites(body.perIssueWrites, current.perIssueWrites) : current.perIssueWrites,
  };
}
