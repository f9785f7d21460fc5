import { findIssue } from '../directory';
import { applyConfig, RATE_LIMITS_OFF, type BurstMethod, type RateLimitConfig } from './config';
import { costOf, costTable, endpointOf, writtenIssue, type CostCategory } from './costs';
import { isoSeconds, policyHeaders, refusalHeaders, type PolicyEntry, type RateLimitReason, type Refusal } from './headers';

/**
 * Jira's three independent limits for app traffic, as "Rate limiting" describes them
 * (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/), over an injected clock:
 * - the points quota: points per UTC hour ("reset at the top of each UTC hour"), one pool for the
 *   app across all sites (Tier 1) or one per site (Tier 2). A call is admitted while the pool has
 *   points left and then charged what it cost, so the last admitted call may overdraw the pool
 *   (a call's cost is only known from its answer); from then on "all requests are denied until
 *   the next hourly reset";
 * - burst: a token bucket per (site, endpoint, method), refilled at the steady-state rate;
 * - per-issue writes: sliding windows per (site, issue).
 *
 * Refused calls cost nothing and use no burst token or write slot. The page is silent on this;
 * the emulator takes it that points measure work done and a 429 does none. The ledger keeps
 * points even while no limit is enforced, so a test can read what a flow would cost.
 */

const HOUR_MS = 3_600_000;

export interface CallContext {
  appKey: string;
  clientKey: string;
  product: 'jira' | 'confluence';
  method: string;
  /** Path relative to the site, e.g. `/rest/api/3/issue/DEMO-1`. */
  path: string;
}

export type Admission =
  | { ok: false; reason: RateLimitReason; headers: Record<string, string | number> }
  | { ok: true; settle(status: number, body: unknown): Record<string, string | number> };

interface SiteLedger {
  appKey: string;
  clientKey: string;
  product: CallContext['product'];
  spent: number;
  requests: number;
  refused: number;
  byCategory: Record<CostCategory, number>;
}

interface Bucket {
  clientKey: string;
  method: string;
  endpoint: string;
  perSecond: number;
  capacity: number;
  tokens: number;
  at: number;
  requests: number;
  refused: number;
}

interface IssueWrites {
  clientKey: string;
  issue: string;
  times: number[];
  refused: number;
}

export class RateLimiter {
  config: RateLimitConfig = RATE_LIMITS_OFF;
  private windowStart = 0;
  private readonly ledger = new Map<string, SiteLedger>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly writes = new Map<string, IssueWrites>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies a control-API body (see config.ts); throws RateLimitConfigError on a bad one. */
  configure(body: unknown): RateLimitConfig {
    this.config = applyConfig(this.config, body);
    this.buckets.clear();
    this.writes.clear();
    return this.config;
  }

  /** Forgets points, buckets and writes; the configuration stays. */
  clearCounters(): void {
    this.ledger.clear();
    this.buckets.clear();
    this.writes.clear();
  }

  /** No limit enforced and nothing counted: the emulator's default. */
  turnOff(): void {
    this.config = RATE_LIMITS_OFF;
    this.clearCounters();
  }

  /** Decides whether a call may proceed; when it may, `settle` charges it and gives the headers. */
  admit(ctx: CallContext): Admission {
    const now = this.now();
    this.rollWindow(now);
    const site = this.siteLedger(ctx);
    const refuse = (r: Refusal, count: () => void): Admission => {
      site.refused++;
      count();
      return { ok: false, reason: r.reason, headers: refusalHeaders(r, now) };
    };

    const pool = this.pool(ctx);
    if (pool && pool.spent >= pool.limit) {
      const resetAt = this.windowStart + HOUR_MS;
      const reason = `${ctx.product}-quota-${pool.scope === 'app' ? 'global' : 'tenant'}-based` as RateLimitReason;
      return refuse({ reason, retryAfterSeconds: (resetAt - now) / 1000, limit: pool.limit, resetAt }, () => undefined);
    }

    const bucket = this.bucket(ctx, now);
    if (bucket && bucket.tokens < 1) {
      return refuse({ reason: 'jira-burst-based', retryAfterSeconds: (1 - bucket.tokens) / bucket.perSecond, limit: bucket.perSecond }, () => bucket.refused++);
    }

    const writes = this.issueWrites(ctx, now);
    if (writes) {
      for (const w of this.config.perIssueWrites!.windows) {
        const inWindow = writes.times.filter((t) => t > now - w.seconds * 1000);
        if (inWindow.length >= w.limit) {
          // Free again once enough of the writes in this window have left it.
          const freeAt = inWindow[inWindow.length - w.limit]! + w.seconds * 1000;
          return refuse({ reason: 'jira-per-issue-on-write', retryAfterSeconds: (freeAt - now) / 1000, limit: w.limit }, () => writes.refused++);
        }
      }
      writes.times.push(now);
    }
    if (bucket) {
      bucket.tokens -= 1;
      bucket.requests++;
    }
    site.requests++;
    return { ok: true, settle: (status, body) => this.charge(ctx, site, bucket, status, body) };
  }

  private charge(ctx: CallContext, site: SiteLedger, bucket: Bucket | undefined, status: number, body: unknown): Record<string, string | number> {
    const now = this.now();
    const cost = costOf(ctx.method, ctx.path, status, body);
    site.spent += cost.points;
    site.byCategory[cost.category] += cost.points;
    const entries: PolicyEntry[] = [];
    const headers: Record<string, string | number> = {};
    const pool = this.pool(ctx);
    if (pool) {
      const remaining = Math.max(0, pool.limit - pool.spent);
      const near = remaining < 0.2 * pool.limit;
      headers['x-ratelimit-limit'] = pool.limit;
      headers['x-ratelimit-remaining'] = remaining;
      if (near) headers['x-ratelimit-nearlimit'] = 'true';
      const name = pool.scope === 'app' ? 'global-app-quota' : 'tenant-app-quota';
      entries.push({ name, quota: pool.limit, windowSeconds: 3600, remaining, resetSeconds: (this.windowStart + HOUR_MS - now) / 1000, showRemaining: near });
    }
    if (bucket) {
      // For request rate limits the X- headers describe the current second (used when no quota is enforced).
      if (!pool) {
        headers['x-ratelimit-limit'] = bucket.perSecond;
        headers['x-ratelimit-remaining'] = Math.max(0, Math.floor(bucket.tokens));
      }
      entries.push({ name: 'jira-burst-based', quota: bucket.perSecond, windowSeconds: 1, remaining: bucket.tokens, resetSeconds: 1, showRemaining: true });
    }
    return { ...headers, ...policyHeaders(entries) };
  }

  private rollWindow(now: number): void {
    const start = Math.floor(now / HOUR_MS) * HOUR_MS;
    if (start === this.windowStart) return;
    this.windowStart = start;
    for (const s of this.ledger.values()) Object.assign(s, { spent: 0, requests: 0, refused: 0, byCategory: { core: 0, identity: 0, write: 0, other: 0 } });
  }

  private siteLedger(ctx: CallContext): SiteLedger {
    const key = `${ctx.appKey} ${ctx.clientKey}`;
    let s = this.ledger.get(key);
    if (!s) {
      s = { appKey: ctx.appKey, clientKey: ctx.clientKey, product: ctx.product, spent: 0, requests: 0, refused: 0, byCategory: { core: 0, identity: 0, write: 0, other: 0 } };
      this.ledger.set(key, s);
    }
    return s;
  }

  private pool(ctx: Pick<CallContext, 'appKey' | 'clientKey'>): { scope: 'app' | 'site'; limit: number; spent: number } | undefined {
    const q = this.config.quota;
    if (!q) return undefined;
    const mine = [...this.ledger.values()].filter((s) => s.appKey === ctx.appKey && (q.scope === 'app' || s.clientKey === ctx.clientKey));
    const limit = q.scope === 'site' ? (q.sites[ctx.clientKey] ?? q.pointsPerHour) : q.pointsPerHour;
    return { scope: q.scope, limit, spent: mine.reduce((n, s) => n + s.spent, 0) };
  }

  private bucket(ctx: CallContext, now: number): Bucket | undefined {
    const b = this.config.burst;
    if (!b) return undefined;
    const method = ctx.method.toUpperCase() as BurstMethod;
    const endpoint = endpointOf(method, ctx.path);
    const custom = b.endpoints.find((e) => e.method === method && (e.endpoint === endpoint || e.endpoint === ctx.path));
    if (!custom && (b.onlyListed || !(method in b.perSecond))) return undefined;
    const key = `${ctx.clientKey} ${method} ${endpoint}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const perSecond = custom?.perSecond ?? b.perSecond[method];
      const capacity = custom?.capacity ?? perSecond * b.capacitySeconds;
      bucket = { clientKey: ctx.clientKey, method, endpoint, perSecond, capacity, tokens: capacity, at: now, requests: 0, refused: 0 };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + ((now - bucket.at) / 1000) * bucket.perSecond);
    bucket.at = now;
    return bucket;
  }

  private issueWrites(ctx: CallContext, now: number): IssueWrites | undefined {
    const conf = this.config.perIssueWrites;
    const written = conf && writtenIssue(ctx.method.toUpperCase(), ctx.path);
    if (!conf || !written) return undefined;
    // DEMO-1 and its id 10001 are one issue.
    const issue = findIssue(written)?.id ?? written.toUpperCase();
    const key = `${ctx.clientKey} ${issue}`;
    let w = this.writes.get(key);
    if (!w) this.writes.set(key, (w = { clientKey: ctx.clientKey, issue, times: [], refused: 0 }));
    const longest = Math.max(...conf.windows.map((x) => x.seconds)) * 1000;
    w.times = w.times.filter((t) => t > now - longest);
    return w;
  }

  /** What `GET /_emu/api/rate-limits` shows. */
  snapshot() {
    const now = this.now();
    this.rollWindow(now);
    const sites = [...this.ledger.values()].map((s) => ({ ...s, byCategory: { ...s.byCategory } }));
    const q = this.config.quota;
    const poolKeys = q?.scope === 'app' ? [...new Set(sites.map((s) => s.appKey))].map((appKey) => ({ appKey, clientKey: undefined })) : sites;
    const quotas = q
      ? poolKeys.map(({ appKey, clientKey }) => {
          const p = this.pool({ appKey, clientKey: clientKey ?? '' })!;
          return { pool: q.scope, appKey, ...(clientKey ? { clientKey } : {}), limit: p.limit, spent: p.spent, remaining: Math.max(0, p.limit - p.spent), nearLimit: p.limit - p.spent < 0.2 * p.limit };
        })
      : [];
    const writes = this.config.perIssueWrites;
    return {
      now: isoSeconds(now),
      config: this.config,
      window: { start: isoSeconds(this.windowStart), reset: isoSeconds(this.windowStart + HOUR_MS), resetInSeconds: Math.ceil((this.windowStart + HOUR_MS - now) / 1000) },
      sites,
      quota: quotas,
      burst: [...this.buckets.values()].map((b) => ({ clientKey: b.clientKey, method: b.method, endpoint: b.endpoint, perSecond: b.perSecond, capacity: b.capacity, tokens: Math.min(b.capacity, b.tokens + ((now - b.at) / 1000) * b.perSecond), requests: b.requests, refused: b.refused })),
      perIssueWrites: [...this.writes.values()].map((w) => ({
        clientKey: w.clientKey,
        issue: w.issue,
        windows: (writes?.windows ?? []).map((x) => ({ ...x, used: w.times.filter((t) => t > now - x.seconds * 1000).length })),
        refused: w.refused,
      })),
      costTable: costTable(),
    };
  }
}
