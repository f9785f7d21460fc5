import { createHash } from 'node:crypto';
import { ConnectError } from '../errors';

/**
 * What identifies a delivery. Jira retries a delivery the app answered with 408, 409, 425, 429
 * or 5xx, or did not answer in time, for up to about 30 minutes, so one event can arrive twice
 * and out of order. Every attempt carries the same `X-Atlassian-Webhook-Identifier` (unique per
 * site) and retries carry `X-Atlassian-Webhook-Retry` with the retry count.
 * - https://developer.atlassian.com/cloud/jira/platform/webhooks/#retry-policy
 * - https://community.developer.atlassian.com/t/new-jira-cloud-webhook-retry-policy/30554
 */
export interface DeliveryInfo {
  /** The identifier (or, when the product sent none, a hash of event and body). */
  id: string;
  /** 0 for the first attempt. */
  retry: number;
  /** `Primary` (the event itself) or `Secondary` (fallout of a bulk change), when sent. */
  flow?: string;
}

export const WEBHOOK_ID_HEADER = 'x-atlassian-webhook-identifier';
export const WEBHOOK_RETRY_HEADER = 'x-atlassian-webhook-retry';
export const WEBHOOK_FLOW_HEADER = 'x-atlassian-webhook-flow';

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function deliveryInfo(headers: Headers, event: string, rawBody: string, rawQuery: string): DeliveryInfo {
  const given = headers.get(WEBHOOK_ID_HEADER);
  if (given !== null && !ID.test(given)) throw new ConnectError('BAD_REQUEST', 'malformed webhook identifier', { publicMessage: 'Malformed X-Atlassian-Webhook-Identifier' });
  // Without an identifier the same event resent is the same bytes: dedupe on those.
  const id = given ?? `sha256:${createHash('sha256').update(`${event}\n${rawQuery}\n${rawBody}`).digest('hex')}`;
  const retryRaw = headers.get(WEBHOOK_RETRY_HEADER);
  const retry = retryRaw && /^\d{1,6}$/.test(retryRaw) ? Number(retryRaw) : 0;
  const flow = headers.get(WEBHOOK_FLOW_HEADER) ?? undefined;
  return { id, retry, ...(flow && /^[A-Za-z]{1,20}$/.test(flow) ? { flow } : {}) };
}

