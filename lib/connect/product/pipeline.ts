import {
  handleWhenResult,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isTaskCancelledError,
  retry,
  timeout,
  TimeoutStrategy,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Tenant } from '../tenants/types';
import { connectAuth, type CallAuth } from './call-auth';
import { ProductApiError, type ProductApiErrorInit } from './errors';
import { kindForStatus, productMessages, readBody, thrownToError, type FetchLike, type RawResponse } from './http';
import type { UserTokenProvider } from './oauth';
import type { TenantPolicyRegistry } from './policies';
import { callScopes, limitKind, resumeAt, scopeFor, scopeKeys, type RateLimitState } from './rate-limits';
import type { RatePacer } from './rate-pacer';
import { IDEMPOTENT_METHODS, parseRetryAfter, RETRYABLE_STATUSES, retryDelayMs, type RetryOptions } from './retry-delay';
import type { CallIdentity, ProductLogger, ProductObserver, ProductResponse, RequestOptions } from './types';

/**
 * One product REST call, end to end. Policies, outermost first (all cockatiel):
 *   timeout (the call's deadline; aggressive, so a queued or hung call is released on time)
 *   → retry (Atlassian's algorithm, only when the next attempt still fits the deadline)
 *   → circuit breaker (per tenant) → bulkhead (per tenant) → one HTTP attempt.
 * The tenant is re-resolved inside the deadline on every call, so a new baseUrl or shared
 * secret is used from the next call on.
 */
export interface PipelineDeps {
  appKey: string;
  resolveTenant: (clientKey: string) => Promise<Tenant | null>;
  isAllowedBaseUrl?: (baseUrl: string) => boolean;
  policies: TenantPolicyRegistry;
  tokens: UserTokenProvider;
  retry: RetryOptions;
  timeoutMs: number;
  minAttemptMs: number;
  appTokenTtlSeconds?: number;
  maxResponseBytes: number;
  fetch: FetchLike;
  now: () => number;
  random: () => number;
  log?: ProductLogger;
  observer?: ProductObserver;
  /** Rate-limit pauses (shared by every instance when backed by the database). */
  limits: RateLimitState;
  /** How long an endpoint answered with `X-RateLimit-NearLimit: true` is left alone (0: never). */
  nearLimitPauseMs: number;
  /** Waits `ms` (cancelled by `signal`); injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Budgets spent before sending (rate-pacer.ts); absent: only the reaction to 429s. */
  pacer?: RatePacer;
}

const sleepFor = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    // The listener goes when the wait ends: a paced call may wait several times on one signal.
    const onAbort = () => (clearTimeout(t), reject(signal.reason));
    const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** A `RateLimit-Reason` as a bounded label: Atlassian's tokens are short, lowercase and hyphenated. */
export function retryReason(status: number, header: string | null): string {
  if (!header) return `status-${status}`;
  const v = header.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9-]{0,47}$/.test(v) ? v : 'other';
}

interface Attempt extends RawResponse {
  /** Set when Atlassian's algorithm says retry and the delay fits the deadline. */
  retryInMs?: number;
}

const delayFromResult: IBackoffFactory<IRetryBackoffContext<unknown>> = {
  next(ctx): IBackoff<IRetryBackoffContext<unknown>> {
    const value = 'value' in ctx.result ? (ctx.result.value as Attempt) : undefined;
    return { duration: value?.retryInMs ?? 0, next: delayFromResult.next };
  },
};

const retryWhenScheduled = handleWhenResult((r) => (r as Attempt).retryInMs !== undefined);

export { productUrl } from './product-url';

export async function executeRequest<T>(
  deps: PipelineDeps,
  clientKey: string,
  identity: CallIdentity,
  path: string,
  opts: RequestOptions<T>,
  /** Where the call goes and how it is authorised (call-auth.ts); default: Connect for `identity`. */
  auth?: CallAuth,
): Promise<ProductResponse<T>> {
  const method = opts.method ?? 'GET';
  const pathOnly = path.split('?')[0] ?? path;
  const init: ProductApiErrorInit = { clientKey, method, path: pathOnly };
  const start = deps.now();
  const deadline = Math.min(start + (opts.timeoutMs ?? deps.timeoutMs), opts.deadline ?? Infinity);
  const budget = deadline - start;
  if (budget <= 0) throw new ProductApiError('timeout', 'deadline already passed', init);
  if (opts.signal?.aborted) throw new ProductApiError('aborted', 'the caller aborted the call', init);
  const callAuth = auth ?? connectAuth(deps, clientKey, identity, init, opts.signal);

  const scopes = callScopes(clientKey, method, pathOnly);
  const keys = scopeKeys(scopes);
  const retryOpts: RetryOptions = opts.retry === false ? { ...deps.retry, maxRetries: 0 } : { ...deps.retry, ...opts.retry };
  const idempotent = opts.idempotent ?? IDEMPOTENT_METHODS.has(method);
  const maxRetries = idempotent ? retryOpts.maxRetries : 0;
  let attempts = 0;

  const run = async ({ signal }: { signal: AbortSignal }): Promise<Attempt> => {
    const { url, authorization } = await callAuth.prepare(path, opts as RequestOptions, signal);
    const headers = new Headers(opts.headers);
    headers.delete('authorization');
    headers.set('accept', 'application/json');
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers.set('content-type', 'application/json');
    }
    const { breaker, bulkhead } = deps.policies.for(clientKey);

    const attempt = async (): Promise<Attempt> => {
      attempts++;
      headers.set('authorization', await authorization(method, url));
      const started = deps.now();
      try {
        const res = await deps.fetch(url, { method, headers, body, signal, redirect: 'manual' });
        const read = await readBody(res, deps.maxResponseBytes, init);
        deps.observer?.attempt?.({ method, status: read.status, durationMs: deps.now() - started });
        return read;
      } catch (err) {
        const e = thrownToError(err, opts.signal, init);
        deps.observer?.attempt?.({ method, error: e.kind, durationMs: deps.now() - started });
        throw e;
      }
    };

    /**
     * No request goes into a paused scope: wait for the pause when it ends within the deadline,
     * else fail now with what was learnt (nothing sent). Outside the breaker and the bulkhead:
     * a wait holds no slot and a refusal is no site failure.
     */
    const gate = async () => {
      for (;;) {
        const now = deps.now();
        const p = await deps.limits.paused(keys, now);
        if (!p) return;
        const wait = p.until - now;
        if (now + wait + deps.minAttemptMs > deadline) {
          const kind = p.key === scopes.app ? 'app' : p.key === scopes.site ? 'site' : p.key === scopes.issue ? 'issue' : 'burst';
          throw new ProductApiError('rate_limited', `rate limited (${p.reason}): not calling before the limit resets`, { ...init, retryAfterMs: wait, limit: kind });
        }
        await (deps.sleep ?? sleepFor)(wait, signal);
      }
    };

    const policy = retry(retryWhenScheduled, { maxAttempts: maxRetries, backoff: delayFromResult });
    return policy.execute(async (ctx) => {
      await gate();
      // Pace first: spend this attempt's budgets (waiting within the deadline, or refusing) rather than earn a 429.
      const paced = await deps.pacer?.admit(
        { scopes, clientKey, method, path: pathOnly, query: url.searchParams, body: opts.body, init },
        { now: deps.now, deadline, minAttemptMs: deps.minAttemptMs, signal, sleep: deps.sleep ?? sleepFor, onWait: (e) => deps.observer?.paced?.(e) },
      );
      const result: Attempt = await breaker.execute(() => bulkhead.execute(attempt, signal), signal);
      paced?.settle(result.status, result.headers, result.text);
      if (result.status === 429) {
        const reason = result.headers.get('ratelimit-reason');
        const kind = limitKind(reason);
        const until = resumeAt(result.headers, deps.now());
        await deps.limits.pause({ key: scopeFor(kind, scopes), until, reason: reason?.trim().slice(0, 100) || 'status-429' });
        deps.log?.warn({ clientKey, method, path: pathOnly, limit: kind, reason: reason ?? undefined, resumeInMs: until - deps.now() }, 'product rate limit: pausing that scope');
      } else if (deps.nearLimitPauseMs > 0 && result.headers.get('x-ratelimit-nearlimit')?.trim().toLowerCase() === 'true') {
        // Under 20 % of a limit left: ease off that endpoint before Jira has to say no. With pacing,
        // the pacer eases off instead (it spreads what is left of the quota over the rest of its window).
        if (!deps.pacer) await deps.limits.pause({ key: scopes.burst, until: deps.now() + deps.nearLimitPauseMs, reason: 'near-limit' });
        deps.observer?.nearLimit?.({ method });
        deps.log?.debug?.({ clientKey, method, path: pathOnly }, 'product near its rate limit: easing off that endpoint');
      }
      if (!RETRYABLE_STATUSES.has(result.status) || ctx.attempt >= maxRetries) return result;
      const retryAfterMs = parseRetryAfter(result.headers.get('retry-after'), deps.now());
      const delay = retryDelayMs(ctx.attempt + 1, retryAfterMs, retryOpts, deps.random);
      if (deps.now() + delay + deps.minAttemptMs <= deadline) {
        deps.log?.debug?.({ clientKey, method, path: pathOnly, status: result.status, delay, retry: ctx.attempt + 1 }, 'product call retrying');
        deps.observer?.retryWait?.({ reason: retryReason(result.status, result.headers.get('ratelimit-reason')), status: result.status, delayMs: delay });
        return { ...result, retryInMs: delay };
      }
      // Waiting would outlast the caller's deadline: fail now, with what the product said.
      return result;
    }, signal);
  };

  let final: Attempt;
  try {
    final = await timeout(budget, TimeoutStrategy.Aggressive).execute(run, opts.signal);
  } catch (err) {
    throw mapPolicyError(err, opts.signal, { ...init, attempts });
  }
  return finish(deps, final, opts, { ...init, attempts }, callAuth);
}

function mapPolicyError(err: unknown, callerSignal: AbortSignal | undefined, init: ProductApiErrorInit): ProductApiError {
  if (err instanceof ProductApiError) return err.with({ attempts: init.attempts });
  if (isBrokenCircuitError(err)) return new ProductApiError('circuit_open', 'recent calls to this site failed: failing fast', init);
  if (isBulkheadRejectedError(err)) return new ProductApiError('overloaded', 'too many concurrent calls to this site', init);
  if (isTaskCancelledError(err)) {
    return callerSignal?.aborted
      ? new ProductApiError('aborted', 'the caller aborted the call', init)
      : new ProductApiError('timeout', 'deadline exceeded', { ...init, cause: err });
  }
  if (err instanceof TypeError && /product path/.test(err.message)) throw err;
  return thrownToError(err, callerSignal, init);
}

async function finish<T>(
  deps: PipelineDeps,
  res: Attempt,
  opts: RequestOptions<T>,
  init: ProductApiErrorInit,
  callAuth: CallAuth,
): Promise<ProductResponse<T>> {
  if (res.status < 200 || res.status > 299) {
    if (res.status === 401) await callAuth.unauthorized?.();
    throw new ProductApiError(kindForStatus(res.status), `product answered ${res.status}`, {
      ...init,
      ...(res.status === 429 ? { limit: limitKind(res.headers.get('ratelimit-reason')) } : {}),
      status: res.status,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), deps.now()),
      productMessages: productMessages(res.text),
    });
  }
  let body: unknown = undefined;
  if (res.text) {
    const json = /\bjson\b/i.test(res.headers.get('content-type') ?? '');
    try {
      body = json ? JSON.parse(res.text) : res.text;
    } catch (err) {
      throw new ProductApiError('invalid_response', 'response is not valid JSON', { ...init, status: res.status, cause: err });
    }
  }
  if (opts.schema) {
    const parsed = opts.schema.safeParse(body);
    if (!parsed.success) {
      throw new ProductApiError('invalid_response', 'response does not match the expected shape', {
        ...init,
        status: res.status,
        cause: parsed.error,
      });
    }
    body = parsed.data;
  }
  return { status: res.status, headers: res.headers, body: body as T, attempts: init.attempts ?? 0 };
}
