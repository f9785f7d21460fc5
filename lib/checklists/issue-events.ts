import 'server-only';
import { issuePropertyPath, isProductApiError, jobErrorForProductFailure, ProductApiError, putIssueProperty, RateLimitDeferral, type ProductRequester, type WebhookHandlerContext } from 'atlassian-connect-next';
import type { ChecklistPropertyValue } from './issue-property';
import type { ChecklistRepository } from './repository';
import type { IssueDeleted, IssueMoved } from './webhooks';

/** What the checklist app does when Jira tells it about an issue, and its property writes. */

interface EventLog {
  info(obj: object, msg?: string): void;
}

/**
 * The issue is gone: so are its checklist items and state, and any property write still waiting
 * for it (Jira deleted the issue's properties with it). The export and the retention purge read
 * the same tables, so neither has the issue afterwards. Idempotent: a second run deletes nothing.
 */
export async function onIssueDeleted(
  data: IssueDeleted,
  ctx: WebhookHandlerContext,
  deps: { repo: Pick<ChecklistRepository, 'deleteIssueChecklist'>; cancelPropertyWrite: (clientKey: string, issueId: string) => Promise<number>; log: EventLog },
): Promise<void> {
  const deleted = await deps.repo.deleteIssueChecklist(ctx.clientKey, data.issueId);
  // Property writes are only ever scheduled for issues with a checklist.
  const cancelled = deleted.states ? await deps.cancelPropertyWrite(ctx.clientKey, data.issueId) : 0;
  deps.log.info({ clientKey: ctx.clientKey, issueId: data.issueId, delivery: ctx.delivery.id, ...deleted, cancelledWrites: cancelled }, 'issue deleted: checklist removed');
}

/**
 * The issue moved to another project: remember it, so the admin's project restriction applies
 * to the project the issue is in now (a panel opened before the move still names the old one).
 * A move older than the one recorded (delivered late) changes nothing.
 */
export async function onIssueMoved(data: IssueMoved, ctx: WebhookHandlerContext, deps: { repo: Pick<ChecklistRepository, 'recordIssueProject'>; log: EventLog }): Promise<void> {
  const applied = await deps.repo.recordIssueProject(ctx.clientKey, data.issueId, { projectId: data.projectId, projectKey: data.projectKey, at: new Date(data.at) });
  deps.log.info({ clientKey: ctx.clientKey, issueId: data.issueId, projectKey: data.projectKey, delivery: ctx.delivery.id, applied }, applied ? 'issue moved: project recorded' : 'issue move ignored (no checklist, or an older event)');
}

/** PUTs a progress value; 'issue-gone' when Jira no longer has the issue (404). Product failures propagate. */
export async function putChecklistProperty(product: ProductRequester, issueId: string, propertyKey: string, value: ChecklistPropertyValue, signal?: AbortSignal): Promise<'written' | 'issue-gone'> {
  try {
    await putIssueProperty(product, issueId, propertyKey, value, { signal });
    return 'written';
  } catch (err) {
    if (isProductApiError(err) && err.kind === 'http' && err.status === 404) return 'issue-gone';
    throw err;
  }
}

/** What the property write job learns from the product client when Jira is rate limiting. */
export interface RateLimitAware {
  /** The pause in force for this write (site, pool, endpoint or issue), as the shared state knows it. */
  pauseFor(clientKey: string, call: { method: string; path: string }): Promise<{ until: number; limit: 'burst' | 'issue' | 'site' | 'app' } | null>;
  /** Told when the write is deferred to the limit's reset (a log line, a counter). */
  deferred?(e: { clientKey: string; issueId: string; limit: RateLimitDeferral['limit']; retryAt: number; reason: string }): void;
}

/**
 * Writes the issue's checklist progress as its property, from what is stored when the job runs
 * (so a burst of edits is one write of the latest state). An issue deleted meanwhile (404) is
 * done. A rate limit defers the write to the reset the shared state knows (never a failure, so
 * it never runs out of attempts while Jira limits the site); Retry-After on a 503 is honoured;
 * other failures are retried by the queue with backoff.
 */
export async function writeChecklistProperty(
  repo: Pick<ChecklistRepository, 'issueProgress'>,
  product: ProductRequester,
  issueId: string,
  propertyKey: string,
  ctx: { signal: AbortSignal; now(): number },
  limits?: RateLimitAware,
): Promise<'written' | 'issue-gone'> {
  const call = { method: 'PUT', path: issuePropertyPath(issueId, propertyKey) };
  const pauseNow = () => (limits ? limits.pauseFor(product.clientKey, call).catch(() => null) : Promise.resolve(null));
  const value = await repo.issueProgress(product.clientKey, issueId);
  try {
    // Paused already (by any instance, any call of the site): put it off to the reset now, rather
    // than hold a worker while the client waits out the pause, and say so (the panel reads it).
    const before = await pauseNow();
    if (before && before.until > ctx.now()) {
      throw new ProductApiError('rate_limited', 'rate limited: not calling before the limit resets', { ...call, clientKey: product.clientKey, retryAfterMs: before.until - ctx.now(), limit: before.limit });
    }
    return await putChecklistProperty(product, issueId, propertyKey, value, ctx.signal);
  } catch (err) {
    const limited = isProductApiError(err) && err.kind === 'rate_limited';
    const pause = limited ? await pauseNow() : null;
    const mapped = jobErrorForProductFailure(err, ctx.now(), { pausedUntil: pause?.until });
    if (mapped instanceof RateLimitDeferral) limits?.deferred?.({ clientKey: product.clientKey, issueId, limit: mapped.limit, retryAt: mapped.at, reason: mapped.message });
    throw mapped;
  }
}
