import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ProductApiError } from './errors';

/**
 * Per-tenant resilience state, built from cockatiel policies: a circuit breaker (after
 * `failureThreshold` consecutive failures the site is not called for `halfOpenAfterMs`; then
 * one probe decides) and a bulkhead (at most `maxConcurrent` requests in flight per site, a
 * bounded queue behind them), so one slow or busy site cannot take every socket and every
 * request slot of the app.
 */
export interface BreakerOptions {
  /** Consecutive failed attempts that open the circuit. Default 5. */
  failureThreshold: number;
  /** How long an open circuit fails fast before one probe is let through. Default 30 s. */
  halfOpenAfterMs: number;
}

export interface BulkheadOptions {
  /** Requests in flight per tenant. Default 10 (Atlassian suggests at most 5–10 concurrent). */
  maxConcurrent: number;
  /** Requests waiting for a slot per tenant; beyond it calls fail with `overloaded`. Default 4 × maxConcurrent. */
  maxQueued: number;
}

export interface TenantPolicies {
  breaker: CircuitBreakerPolicy;
  bulkhead: BulkheadPolicy;
}

/** What an attempt resolves with when the product answered (any status). */
export interface AttemptResult {
  status: number;
}

/**
 * A failed attempt in the breaker's eyes: no answer (network, timeout) or a 5xx. A 4xx, a
 * 429 (the site is up and Retry-After governs) or the caller's own abort is not the site failing.
 */
export function countsAsSiteFailure(outcome: { error?: unknown; status?: number }): boolean {
  if (outcome.error !== undefined) {
    const e = outcome.error;
    return e instanceof ProductApiError && (e.kind === 'network' || e.kind === 'timeout');
  }
  return outcome.status !== undefined && outcome.status >= 500;
}

const breakerPolicy = handleWhen((err) => countsAsSiteFailure({ error: err })).orWhenResult((r) =>
  countsAsSiteFailure({ status: (r as AttemptResult).status }),
);

export type BreakerEvent = { clientKey: string; state: 'open' | 'half_open' | 'closed' };

export class TenantPolicyRegistry {
  private readonly byTenant = new Map<string, TenantPolicies>();

  constructor(
    private readonly breakerOpts: BreakerOptions,
    private readonly bulkheadOpts: BulkheadOptions,
    private readonly onBreakerEvent?: (e: BreakerEvent) => void,
    private readonly maxTenants = 10_000,
  ) {}

  for(clientKey: string): TenantPolicies {
    const hit = this.byTenant.get(clientKey);
    if (hit) {
      // Most recently used last, so eviction below drops the idlest tenant.
      this.byTenant.delete(clientKey);
      this.byTenant.set(clientKey, hit);
      return hit;
    }
    const policies = this.create(clientKey);
    this.byTenant.set(clientKey, policies);
    if (this.byTenant.size > this.maxTenants) this.evictIdle();
    return policies;
  }

  /** The breaker state of a tenant, for health pages and tests. */
  state(clientKey: string): 'closed' | 'open' | 'half_open' {
    const s = this.byTenant.get(clientKey)?.breaker.state;
    return s === CircuitState.Open || s === CircuitState.Isolated ? 'open' : s === CircuitState.HalfOpen ? 'half_open' : 'closed';
  }

  forget(clientKey: string): void {
    this.byTenant.delete(clientKey);
  }

  /** Sites whose circuit is open (isolated counts as open) or half open. */
  counts(): { open: number; half_open: number } {
    let open = 0;
    let halfOpen = 0;
    for (const key of this.byTenant.keys()) {
      const s = this.state(key);
      if (s === 'open') open++;
      else if (s === 'half_open') halfOpen++;
    }
    return { open, half_open: halfOpen };
  }

  private create(clientKey: string): TenantPolicies {
    const breaker = circuitBreaker(breakerPolicy, {
      halfOpenAfter: this.breakerOpts.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.breakerOpts.failureThreshold),
    });
    if (this.onBreakerEvent) {
      const emit = this.onBreakerEvent;
      breaker.onBreak(() => emit({ clientKey, state: 'open' }));
      breaker.onHalfOpen(() => emit({ clientKey, state: 'half_open' }));
      breaker.onReset(() => emit({ clientKey, state: 'closed' }));
    }
    return { breaker, bulkhead: bulkhead(this.bulkheadOpts.maxConcurrent, this.bulkheadOpts.maxQueued) };
  }

  // Only tenants with nothing in flight are dropped: replacing a busy bulkhead would let a
  // second batch of requests past the limit.
  private evictIdle(): void {
    for (const [key, p] of this.byTenant) {
      if (this.byTenant.size <= this.maxTenants) return;
      const idle = p.bulkhead.executionSlots === this.bulkheadOpts.maxConcurrent && p.bulkhead.queueSlots === this.bulkheadOpts.maxQueued;
      if (idle && p.breaker.state === CircuitState.Closed) this.byTenant.delete(key);
    }
  }
}
