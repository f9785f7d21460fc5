import type { RequestContext } from '../auth';
import { ConnectError } from '../errors';
import type { JobContext, JobQueue, QueueLogger } from '../jobs/queue';
import { readBodyCapped } from '../body';
import { deliveryInfo, type DeliveryInfo } from './delivery';
import { WebhookPayloadError, type WebhookSubscription } from './subscription';

/**
 * Receives webhook deliveries behind `withWebhookAuth` (HS256, installed tenant, computed qsh:
 * anything else was answered 401 before this runs) and acknowledges them as soon as they are
 * recorded as a job: Atlassian asks apps to authenticate, defer the work and answer at once, and
 * counts only 200/204 as delivered
 * (https://developer.atlassian.com/platform/marketplace/cloud-fortified-apps-program-webhook-delivery-success-rate/).
 * The job is keyed by the delivery identifier, so a retried or duplicated delivery is
 * acknowledged again and takes effect once. A worker runs the app's handler with retries.
 */

export interface WebhookJobPayload<P = unknown> {
  name: string;
  event: string;
  data: P;
  delivery: DeliveryInfo & { receivedAt: number };
}

export interface WebhookHandlerContext {
  clientKey: string;
  delivery: WebhookJobPayload['delivery'];
  signal: AbortSignal;
  now(): number;
}

// Payload types differ per subscription; the map is checked by name at definition time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WebhookHandlers = Record<string, (data: any, ctx: WebhookHandlerContext) => Promise<void>>;

export interface WebhookJobsOptions {
  subscriptions: readonly WebhookSubscription[];
  handlers: WebhookHandlers;
  /** The job queue name (default `webhook`). */
  queueName?: string;
  /** Failed runs before a delivery's job is dead (default 10). */
  maxAttempts?: number;
}

/** Registers the worker side: the queue runs each recorded delivery through its handler. */
export function defineWebhookJobs(queue: JobQueue, opts: WebhookJobsOptions): void {
  for (const s of opts.subscriptions) if (!opts.handlers[s.name]) throw new Error(`no handler for webhook ${s.name}`);
  queue.define<WebhookJobPayload>({
    name: opts.queueName ?? 'webhook',
    maxAttempts: opts.maxAttempts ?? 10,
    handler: async (p, ctx: JobContext<WebhookJobPayload>) => {
      const handle = opts.handlers[p.name];
      if (!handle) throw new Error(`no handler for webhook ${p.name}`);
      await handle(p.data, { clientKey: ctx.clientKey, delivery: p.delivery, signal: ctx.signal, now: ctx.now });
    },
  });
}

export interface WebhookReceiverOptions {
  subscriptions: readonly WebhookSubscription[];
  queue: Pick<JobQueue, 'enqueue'>;
  /** The job queue name (default `webhook`), as given to defineWebhookJobs. */
  queueName?: string;
  /** Bodies over this are refused with 413 (default 5 MiB: issue payloads carry every field). */
  maxBodyBytes?: number;
  log?: QueueLogger;
  now?: () => number;
  /** Every acknowledged delivery (for metrics); refusals are the route wrapper's to count. */
  onDelivery?: (d: { webhook: string; outcome: 'recorded' | 'duplicate' | 'ignored'; retry: number }) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBody(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ConnectError('BAD_REQUEST', 'webhook body is not UTF-8', { publicMessage: 'Malformed webhook body' });
  }
}

type RouteParams = { params: Promise<Record<string, string | string[] | undefined>> };

/**
 * The request side. Create it where the route wrappers are created (its errors must be the
 * wrappers' ConnectError class, which a bundler may load once per route bundle).
 */
export function createWebhookReceiver(opts: WebhookReceiverOptions) {
  const queueName = opts.queueName ?? 'webhook';
  const now = opts.now ?? Date.now;
  const byName = new Map(opts.subscriptions.map((s) => [s.name, s]));

  /** The route handler for `${basePath}/[name]` (wrap it in withWebhookAuth). */
  async function receive(req: Request, ctx: RequestContext, route: RouteParams): Promise<Response> {
    const name = (await route.params).name;
    const sub = typeof name === 'string' ? byName.get(name) : undefined;
    if (!sub) throw new ConnectError('NOT_FOUND', `no webhook ${String(name)}`, { publicMessage: 'Unknown webhook' });
    if (req.method !== 'POST') throw new ConnectError('BAD_REQUEST', 'webhooks are POSTed');
    const url = new URL(req.url);
    const raw = decodeBody(await readBodyCapped(req, opts.maxBodyBytes ?? 5 * 1024 * 1024));
    let body: unknown;
    if (!sub.excludeBody) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new ConnectError('BAD_REQUEST', 'webhook body is not JSON', { publicMessage: 'Malformed webhook body' });
      }
    }
    const delivery = deliveryInfo(req.headers, sub.event, raw, url.search);
    let data: unknown;
    try {
      data = sub.parse({ body, query: url.searchParams });
    } catch (err) {
      if (err instanceof WebhookPayloadError) throw new ConnectError('BAD_REQUEST', `webhook ${sub.name}: ${err.message}`, { publicMessage: 'Malformed webhook body' });
      throw err;
    }
    const fields = { webhook: sub.name, clientKey: ctx.clientKey, delivery: delivery.id, retry: delivery.retry };
    if (data === null) {
      opts.log?.info({ ...fields, outcome: 'ignored' }, 'webhook needs no work');
      opts.onDelivery?.({ webhook: sub.name, outcome: 'ignored', retry: delivery.retry });
      return new Response(null, { status: 204 });
    }
    const payload: WebhookJobPayload = { name: sub.name, event: sub.event, data, delivery: { ...delivery, receivedAt: now() } };
    const { outcome, id } = await opts.queue.enqueue(queueName, { clientKey: ctx.clientKey, payload, dedupeKey: `webhook:${delivery.id}` });
    const recorded = outcome === 'duplicate' ? 'duplicate' : 'recorded';
    opts.log?.info({ ...fields, outcome: recorded, job: id }, 'webhook acknowledged');
    opts.onDelivery?.({ webhook: sub.name, outcome: recorded, retry: delivery.retry });
    return new Response(null, { status: 204 });
  }

  return { receive };
}
