/**
 * A webhook the app subscribes to: the descriptor module (event, URL, filter, excludeBody) and
 * how a delivery becomes a job. Declared once in the app definition; the descriptor, the Forge
 * manifest and the route all read the same declaration.
 *
 * Connect's webhook module: https://developer.atlassian.com/cloud/jira/platform/modules/webhook/
 * (fields `event`, `url`, `excludeBody`, `filter` (JQL, issue events), `propertyKeys`; the URL may
 * carry variables such as `${issue.id}` that the product substitutes; webhooks need READ).
 */

export interface WebhookDelivery {
  /** The parsed JSON body, or undefined when the subscription sets excludeBody. */
  body: unknown;
  /** The query string of the URL the product called (substituted variables). */
  query: URLSearchParams;
}

export interface WebhookSubscription<P = unknown> {
  /** The route segment: deliveries arrive at `${basePath}/${name}`. */
  name: string;
  /** The product event, e.g. `jira:issue_deleted`. */
  event: string;
  /** Query parameters appended to the URL, with product variables, e.g. `{ issueId: '${issue.id}' }`. */
  query?: Record<string, string>;
  /** JQL restricting which issues send the event (issue events only). */
  filter?: string;
  /** The product sends no body (data minimisation: use URL variables for what is needed). */
  excludeBody?: boolean;
  propertyKeys?: string[];
  /**
   * Turns a verified delivery into what the job needs, and nothing more (no names, no issue
   * text): it is stored until the job has run. Return null when the delivery needs no work.
   * Throw WebhookPayloadError when the delivery is malformed (answered 400, nothing recorded).
   */
  parse(delivery: WebhookDelivery): P | null;
}

/** A delivery the app cannot use: 400, nothing recorded. */
export class WebhookPayloadError extends Error {
  override name = 'WebhookPayloadError';
}

/** A `webhooks` entry of the Connect descriptor. */
export type WebhookModule = {
  event: string;
  url: string;
  filter?: string;
  excludeBody?: boolean;
  propertyKeys?: string[];
};

export const DEFAULT_WEBHOOK_BASE_PATH = '/webhooks';

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Descriptor entries for the subscriptions; names must be unique URL segments. */
export function webhookModules(subs: readonly WebhookSubscription[], basePath = DEFAULT_WEBHOOK_BASE_PATH): WebhookModule[] {
  const seen = new Set<string>();
  return subs.map((s) => {
    if (!NAME.test(s.name)) throw new Error(`webhook name ${s.name} must match ${NAME}`);
    if (seen.has(s.name)) throw new Error(`webhook name ${s.name} is used twice`);
    seen.add(s.name);
    // Product variables (`${issue.id}`) must reach the product unencoded.
    const query = Object.entries(s.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${v}`)
      .join('&');
    return {
      event: s.event,
      url: `${basePath}/${s.name}${query ? `?${query}` : ''}`,
      ...(s.filter ? { filter: s.filter } : {}),
      ...(s.excludeBody ? { excludeBody: true } : {}),
      ...(s.propertyKeys?.length ? { propertyKeys: [...s.propertyKeys] } : {}),
    };
  });
}
