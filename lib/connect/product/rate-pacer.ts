import { ProductApiError, type ProductApiErrorInit } from './errors';
import { MemoryBudgetStore, type BudgetStore } from './rate-budget';
import { estimateCost } from './rate-costs';
import { readRateHeaders } from './rate-headers';
import type { CallScopes, LimitKind } from './rate-limits';

/**
 * Pacing before any 429 ("Build an app that respects rate limits": balance the load so the app
 * rarely hits a limit; https://developer.atlassian.com/cloud/jira/platform/build-an-app-that-respects-rate-limits/).
 * Every call spends from the budgets of its scopes and is delayed (within its deadline) or
 * refused with `rate_limited` when one is spent, instead of being sent to earn a 429:
 *
 * | scope                          | budget (Jira's documented default)    | window here                      |
 * |--------------------------------|---------------------------------------|----------------------------------|
 * | site + endpoint + method       | GET/POST 100, PUT/PATCH/DELETE 50 /s  | 500 ms, half the per-second rate |
 * | one issue's writes             | 20 per 2 s and 100 per 30 s           | a quarter window, a fifth of each|
 * | the site's hourly quota (T2)   | points, learnt from the answers       | the clock hour                   |
 * | the app-wide pool (Tier 1)     | 65,000 points per hour                | the clock hour                   |
 *
 * Why the smaller windows: Jira counts bursts in a token bucket and per-issue writes in sliding
 * windows; fixed windows of length w holding n units stay inside a sliding limit N per W when
 * (W/w + 1)·n ≤ N (any W touches at most W/w + 1 windows), and inside a bucket of capacity L
 * refilled at L/s when w ≤ 0.5 s and n = L·w. Points are estimated per call (rate-costs.ts) and
 * corrected from the answer; the product's own accounting (`RateLimit`, `X-RateLimit-Remaining`)
 * corrects the shared budget, and its `RateLimit-Policy` replaces the limits assumed here. Near a
 * quota (under 20 % left, when `X-RateLimit-NearLimit` appears) the pacer eases off by spreading
 * what is left over the rest of the hour (see `drip`); the pipeline's one-second endpoint pause on
 * `NearLimit` is for clients without pacing.
 *
 * Shared by every instance through a {@link BudgetStore} (PostgreSQL in production), off the hot
 * path: an instance leases a chunk of a window (a hundredth of an hourly quota, a quarter of a
 * burst window, one per-issue write) in one statement and spends it in memory, so the database is
 * asked once per chunk. The cost: a chunk an instance took and did not spend is lost to the others
 * until the window ends (at most instances × chunk). When the store does not answer, the instance
 * goes on with a budget of its own (every product call still goes out; `onError` is told) and asks
 * the store again after `storeRetryMs`.
 */
export interface PacingOptions {
  store?: BudgetStore;
  /** Requests per second per (site, endpoint, method), by method. */
  burstPerSecond?: Partial<Record<string, number>>;
  /** Per-issue write windows. */
  issueWrites?: readonly { limit: number; seconds: number }[];
  /** The app-wide pool's points per hour (Tier 1); null: not paced. Off once the product names a per-site quota (Tier 2). */
  appPointsPerHour?: number | null;
  /** A site's own quota (Tier 2) when known before the product names it; null: learnt from the answers. */
  sitePointsPerHour?: (clientKey: string) => number | null;
  /** The share of an hourly quota leased per store round-trip. Default 0.01. */
  quotaChunk?: number;
  storeRetryMs?: number;
  onError?: (err: unknown) => void;
}

export const JIRA_BURST_PER_SECOND: Readonly<Record<string, number>> = { GET: 100, POST: 100, PUT: 50, PATCH: 50, DELETE: 50 };
export const JIRA_ISSUE_WRITES = [
  { limit: 20, seconds: 2 },
  { limit: 100, seconds: 30 },
] as const;
const HOUR = 3_600_000;
const DRIP_MS = 10_000;

interface Budget {
  key: string;
  kind: LimitKind;
  windowMs: number;
  limit: number;
  chunk: number;
  cost: number;
  /** Refuse at once rather than wait for the next window (easing off: a caller serves its cache, a job comes back later). */
  noWait?: boolean;
}

export interface PacedCall {
  scopes: CallScopes;
  clientKey: string;
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  init: ProductApiErrorInit;
}

export interface PaceContext {
  now: () => number;
  deadline: number;
  minAttemptMs: number;
  signal: AbortSignal;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  onWait?: (e: { limit: LimitKind; waitMs: number; refused: boolean }) => void;
}

/** What the pipeline does with the answer: charges the real cost and learns from the headers. */
export interface PaceTicket {
  settle(status: number, headers: Headers, text: string): void;
}

export class RatePacer {
  private readonly store: BudgetStore;
  private readonly fallback = new MemoryBudgetStore();
  private readonly local = new Map<string, { start: number; available: number }>();
  private readonly leasing = new Map<string, Promise<'granted' | 'denied'>>();
  private readonly learnt = new Map<string, number>();
  private readonly synced = new Map<string, number>();
  /** What the product last said is left of each quota (its window, epoch ms). */
  private readonly remaining = new Map<string, { windowStart: number; remaining: number }>();
  private tier2 = false;
  private storeDownUntil = 0;

  constructor(private readonly opts: PacingOptions = {}) {
    this.store = opts.store ?? this.fallback;
  }

  /**
   * Easing off near a quota (the product says under 20 % is left, as `X-RateLimit-NearLimit`
   * does): what is left is spread over the rest of the hour in 10 s drips, so the app keeps a
   * trickle of calls for the whole hour instead of spending the rest at once and stopping. A call
   * beyond the drip is refused at once, not held for the next one.
   */
  private drip(key: string, kind: LimitKind, limit: number, points: number, now: number): Budget[] {
    const left = this.remaining.get(key);
    const end = Math.floor(now / HOUR) * HOUR + HOUR;
    if (!left || left.windowStart !== end - HOUR || left.remaining >= 0.2 * limit) return [];
    const perDrip = Math.max(1, Math.floor((left.remaining * DRIP_MS) / Math.max(DRIP_MS, end - now)));
    return [{ key: `${key}:drip`, kind, windowMs: DRIP_MS, limit: perDrip, chunk: 1, cost: points, noWait: true }];
  }

  private budgets(call: PacedCall, points: number, now: number): Budget[] {
    const s = call.scopes;
    const m = call.method.toUpperCase();
    const out: Budget[] = [];
    const app = this.tier2 ? null : (this.learnt.get(s.app) ?? (this.opts.appPointsPerHour === undefined ? 65_000 : this.opts.appPointsPerHour));
    const chunkOf = (limit: number) => Math.max(1, Math.ceil(limit * (this.opts.quotaChunk ?? 0.01)));
    if (app) out.push({ key: `quota:${s.app}`, kind: 'app', windowMs: HOUR, limit: app, chunk: chunkOf(app), cost: points }, ...this.drip(`quota:${s.app}`, 'app', app, points, now));
    const site = this.learnt.get(s.site) ?? this.opts.sitePointsPerHour?.(call.clientKey) ?? null;
    if (site) out.push({ key: `quota:${s.site}`, kind: 'site', windowMs: HOUR, limit: site, chunk: chunkOf(site), cost: points }, ...this.drip(`quota:${s.site}`, 'site', site, points, now));
    const perSecond = this.learnt.get(s.burst) ?? this.opts.burstPerSecond?.[m] ?? JIRA_BURST_PER_SECOND[m];
    if (perSecond) {
      const limit = Math.max(1, Math.floor(perSecond / 2));
      out.push({ key: s.burst, kind: 'burst', windowMs: 500, limit, chunk: Math.max(1, Math.ceil(limit / 4)), cost: 1 });
    }
    if (s.issue) {
      (this.opts.issueWrites ?? JIRA_ISSUE_WRITES).forEach((w, i) =>
        out.push({ key: `${s.issue}#${i}`, kind: 'issue', windowMs: (w.seconds * 1000) / 4, limit: Math.max(1, Math.floor(w.limit / 5)), chunk: 1, cost: 1 }),
      );
    }
    return out;
  }

  /** Waits until every budget of the call has its cost (or refuses), spends it, and returns the ticket. */
  async admit(call: PacedCall, ctx: PaceContext): Promise<PaceTicket> {
    const estimate = estimateCost(call.method, call.path, call.query, call.body);
    for (;;) {
      const now = ctx.now();
      const budgets = this.budgets(call, estimate.points, now);
      let short: Budget | undefined;
      let raced = false;
      for (const b of budgets) {
        if (this.available(b, now) >= b.cost) continue;
        // Only the store saying no makes the call short; a lease another call waited on (or took) means look again.
        const got = await this.refill(b, now);
        if (got === 'denied' && this.available(b, now) < b.cost) short ??= b;
        else if (this.available(b, now) < b.cost) raced = true;
      }
      if (!short && !raced && budgets.every((b) => this.available(b, now) >= b.cost)) {
        for (const b of budgets) this.slot(b, now).available -= b.cost;
        return { settle: (status, headers, text) => this.settle(call, budgets, ctx.now(), estimate.points, estimate.actual(status, text), status, headers) };
      }
      if (!short) continue; // another call took what a lease brought: look again
      const waitMs = Math.max(1, Math.floor(now / short.windowMs) * short.windowMs + short.windowMs - now);
      const refused = short.noWait === true || now + waitMs + ctx.minAttemptMs > ctx.deadline;
      ctx.onWait?.({ limit: short.kind, waitMs, refused });
      if (refused) {
        throw new ProductApiError('rate_limited', `rate budget (${short.kind}) spent: not calling before it renews`, { ...call.init, retryAfterMs: waitMs, limit: short.kind });
      }
      await ctx.sleep(waitMs, ctx.signal);
    }
  }

  private slot(b: Budget, now: number): { start: number; available: number } {
    const start = Math.floor(now / b.windowMs) * b.windowMs;
    let s = this.local.get(b.key);
    if (!s || s.start !== start) {
      if (!s && this.local.size > 20_000) this.local.clear();
      s = { start, available: 0 };
      this.local.set(b.key, s);
    }
    return s;
  }

  private available(b: Budget, now: number): number {
    return this.slot(b, now).available;
  }

  /** One lease per key at a time: 'raced' when another call's was under way (waited for, not asked). */
  private async refill(b: Budget, now: number): Promise<'granted' | 'denied' | 'raced'> {
    const pending = this.leasing.get(b.key);
    if (pending) return pending.then(() => 'raced' as const);
    const slot = this.slot(b, now);
    const need = Math.ceil(b.cost - slot.available);
    const want = Math.max(b.chunk, need);
    const p = (async () => {
      let granted: number;
      if (this.store !== this.fallback && now >= this.storeDownUntil) {
        try {
          granted = await this.store.lease(b.key, slot.start, b.limit, want, need);
        } catch (err) {
          this.storeDownUntil = now + (this.opts.storeRetryMs ?? 5_000);
          this.opts.onError?.(err);
          granted = this.fallback.leaseNow(b.key, slot.start, b.limit, want, need);
        }
      } else granted = this.fallback.leaseNow(b.key, slot.start, b.limit, want, need);
      slot.available += granted;
      return granted > 0 ? ('granted' as const) : ('denied' as const);
    })().finally(() => this.leasing.delete(b.key));
    this.leasing.set(b.key, p);
    return p;
  }

  private settle(call: PacedCall, budgets: Budget[], at: number, estimated: number, actual: number, status: number, headers: Headers): void {
    // A refused call did no work: the product charges it nothing (its quota, not its burst bucket).
    const extra = status === 429 ? -estimated : actual - estimated;
    for (const b of budgets) {
      if (b.kind !== 'app' && b.kind !== 'site') continue;
      const slot = this.local.get(b.key);
      if (slot && slot.start === Math.floor(at / b.windowMs) * b.windowMs) slot.available -= extra;
    }
    const reading = readRateHeaders(headers);
    if (reading.burstPerSecond) this.learn(call.scopes.burst, reading.burstPerSecond);
    for (const q of reading.quotas) {
      if (q.scope === 'site') this.tier2 = true;
      const scopeKey = q.scope === 'app' ? call.scopes.app : call.scopes.site;
      if (q.limit) this.learn(scopeKey, q.limit);
      const limit = q.limit ?? this.learnt.get(scopeKey);
      if (q.remaining === undefined || !limit) continue;
      const key = `quota:${scopeKey}`;
      const start = Math.floor(at / HOUR) * HOUR;
      if (this.remaining.size > 20_000) this.remaining.clear();
      this.remaining.set(key, { windowStart: start, remaining: q.remaining });
      const slot = this.local.get(key);
      const store = this.store !== this.fallback && at >= this.storeDownUntil ? this.store : this.fallback;
      if (slot && slot.start === start && slot.available > q.remaining) {
        // More leased here than the product has left: keep what is left, give the rest back.
        const surplus = Math.floor(slot.available - Math.max(0, q.remaining));
        slot.available -= surplus;
        if (surplus > 0) store.release(key, start, surplus).catch((err: unknown) => this.opts.onError?.(err));
      }
      // The product's count is the truth for the whole app: the shared count is at least what it
      // spent plus what this instance still holds (at most once a second per pool).
      if ((this.synced.get(key) ?? -Infinity) + 1_000 <= at) {
        this.synced.set(key, at);
        const held = slot && slot.start === start ? Math.max(0, slot.available) : 0;
        store.raise(key, start, limit - q.remaining + held).catch((err: unknown) => this.opts.onError?.(err));
      }
    }
  }

  private learn(key: string, limit: number): void {
    if (this.learnt.get(key) === limit) return;
    if (this.learnt.size > 20_000) this.learnt.clear();
    this.learnt.set(key, limit);
  }
}
