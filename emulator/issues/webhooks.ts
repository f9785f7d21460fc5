import { randomUUID } from 'node:crypto';
import { webhookEntries, type WebhookEntry } from '../lib/descriptor';
import { productQsh } from '../lib/qsh';
import { signSymmetricToken } from '../lib/signing';
import { RingLog, type Site } from '../lib/state';

/**
 * Sends the app's declared webhooks the way Jira Cloud does:
 * - POST to the module URL under the app's baseUrl, `${issue.id}`-style variables substituted;
 *   `Authorization: JWT` signed HS256 with the site's shared secret, `iss` = clientKey, qsh of
 *   the exact request; `X-Atlassian-Webhook-Identifier` (the same on every retry),
 *   `X-Atlassian-Webhook-Retry` (retries only), `X-Atlassian-Webhook-Flow`.
 * - no body when the module says `excludeBody`.
 * - retried when the app answers 408, 409, 425, 429 or 5xx, or does not answer (connection
 *   refused, timeout), for up to about 30 minutes; each retry signed anew.
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/#retry-policy
 * https://community.developer.atlassian.com/t/new-jira-cloud-webhook-retry-policy/30554
 * https://developer.atlassian.com/cloud/jira/platform/modules/webhook/
 * Jira does not publish its exact schedule; RETRY_DELAYS_MS spans ~31 minutes, and tests and the
 * control page can shorten it (`policy`).
 */

export const RETRY_DELAYS_MS = [10_000, 30_000, 60_000, 300_000, 600_000, 900_000];
const RETRY_STATUSES = new Set([408, 409, 425, 429]);

export interface WebhookPolicy {
  /** Delay before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
  /** How long Jira waits for the app's answer. */
  timeoutMs: number;
}

export interface DeliveryRecord {
  at: string;
  id: string;
  event: string;
  /** The URL path and query the delivery was posted to. */
  path: string;
  retry: number;
  status: number;
  outcome: 'delivered' | 'will-retry' | 'failed' | 'gave-up' | 'cancelled';
  error?: string;
  nextAttemptAt?: string;
}

export interface IssueEvent {
  event: string;
  /** Values for URL variables (`issue.id`, `issue.key`, `project.id`, `project.key`). */
  vars: Record<string, string>;
  body: Record<string, unknown>;
  /** Decides the module's JQL `filter` for this event's issue (unsupported filters: sent). */
  matchesFilter?: (jql: string) => boolean;
}

export class WebhookSender {
  readonly log = new RingLog<DeliveryRecord>(500);
  policy: WebhookPolicy = { retryDelaysMs: [...RETRY_DELAYS_MS], timeoutMs: 10_000 };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Sends `ev` to every module of the installed, enabled app that subscribes to it; resolves with the first attempts. */
  async send(site: Site, ev: IssueEvent): Promise<DeliveryRecord[]> {
    const d = site.descriptor;
    if (!d || !site.installed || !site.enabled || !site.sharedSecret) return [];
    const modules = webhookEntries(d).filter((w) => w.event === ev.event && (!w.filter || !ev.matchesFilter || ev.matchesFilter(w.filter)));
    return Promise.all(modules.map((w) => this.attempt(site, w, ev, randomUUID(), 0)));
  }

  private async attempt(site: Site, w: WebhookEntry, ev: IssueEvent, id: string, retry: number): Promise<DeliveryRecord> {
    const d = site.descriptor!;
    const path = w.url.replace(/\$\{([a-zA-Z.]+)\}/g, (_m, name: string) => encodeURIComponent(ev.vars[name] ?? ''));
    const url = d.baseUrl.replace(/\/+$/, '') + path;
    const record = { at: new Date().toISOString(), id, event: ev.event, path, retry };
    if (!site.installed || !site.enabled || !site.sharedSecret) {
      return this.push({ ...record, status: 0, outcome: 'cancelled', error: 'the app is no longer installed and enabled' });
    }
    const token = await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, qsh: productQsh('POST', url, d.baseUrl) });
    const headers: Record<string, string> = {
      authorization: `JWT ${token}`,
      'content-type': 'application/json',
      'user-agent': 'Atlassian Webhook HTTP Client (product emulator)',
      'x-atlassian-webhook-identifier': id,
      'x-atlassian-webhook-flow': 'Primary',
      ...(retry > 0 ? { 'x-atlassian-webhook-retry': String(retry) } : {}),
    };
    let status = 0;
    let error: string | undefined;
    try {
      const res = await fetch(url, { method: 'POST', headers, body: w.excludeBody ? undefined : JSON.stringify(ev.body), signal: AbortSignal.timeout(this.policy.timeoutMs), redirect: 'manual' });
      status = res.status;
      if (status >= 300) error = (await res.text()).slice(0, 200);
      else await res.arrayBuffer();
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${this.policy.timeoutMs} ms` : `request failed: ${(err as Error).message}`;
    }
    if (status >= 200 && status < 300) return this.push({ ...record, status, outcome: 'delivered' });
    const retryable = status === 0 || RETRY_STATUSES.has(status) || status >= 500;
    const delay = this.policy.retryDelaysMs[retry];
    if (!retryable) return this.push({ ...record, status, outcome: 'failed', error });
    if (delay === undefined) return this.push({ ...record, status, outcome: 'gave-up', error });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const p = this.attempt(site, w, ev, id, retry + 1).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, delay);
    timer.unref();
    this.timers.add(timer);
    return this.push({ ...record, status, outcome: 'will-retry', error, nextAttemptAt: new Date(Date.now() + delay).toISOString() });
  }

  private push(r: DeliveryRecord): DeliveryRecord {
    this.log.push(r);
    return r;
  }

  /** Retries still scheduled. */
  get pendingRetries(): number {
    return this.timers.size + this.inFlight.size;
  }

  /** Drops scheduled retries (reset, stop). */
  cancelRetries(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
