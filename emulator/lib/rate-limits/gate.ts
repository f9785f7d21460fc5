import type { ServerResponse } from 'node:http';
import { sendJson } from '../http';
import type { Site } from '../state';
import { RATE_LIMITED_BODY, type RateLimitReason } from './headers';
import type { RateLimiter } from './limiter';

export type Settle = (status: number, body: unknown) => Record<string, string | number>;

/**
 * The rate limits in front of an authenticated app call to a site's REST API (JWT or OAuth
 * bearer: the traffic Atlassian's limits apply to). Either the call may proceed (answer it with
 * the headers `settle` returns, which also charges its points) or it was answered 429.
 */
export function admitAppCall(limiter: RateLimiter, site: Site, method: string, rel: string, res: ServerResponse): { settle: Settle } | { refused: RateLimitReason } {
  const a = limiter.admit({ appKey: site.descriptor?.key ?? 'app', clientKey: site.clientKey, product: site.product, method, path: rel });
  if (a.ok) return { settle: a.settle };
  sendJson(res, 429, RATE_LIMITED_BODY, a.headers);
  return { refused: a.reason };
}
