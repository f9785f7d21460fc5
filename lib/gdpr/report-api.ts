import 'server-only';
import { isProductApiError, type ProductRequester } from 'atlassian-connect-next';
import { z } from 'zod';

/**
 * Atlassian's personal data reporting API, as a Connect app calls it.
 *
 * Sources (Atlassian developer documentation):
 * - User privacy guide for app developers:
 *   https://developer.atlassian.com/cloud/jira/platform/user-privacy-developer-guide/
 *   (the same guide per product, e.g. https://developer.atlassian.com/cloud/jira/software/user-privacy-developer-guide,
 *   and for Forge: https://developer.atlassian.com/platform/forge/user-privacy-guidelines/)
 * - Forge's helper over the same endpoint, which pins the path and batch size:
 *   https://developer.atlassian.com/platform/forge/runtime-reference/privacy-api/
 *   ("calls the /report-accounts endpoint and handles requests with more than 90 accounts";
 *   `@forge/api` uses URL "/app/report-accounts" and LIMIT 90).
 * - Atlassian staff on how a Connect app calls it: "call this API in the context of your App,
 *   using JWTs to authenticate ... in the context of each site into which your app is installed"
 *   https://community.developer.atlassian.com/t/how-does-the-personal-data-reporting-api-work-authentication-who-calls-it/28679
 *
 * The contract implemented here:
 * - `POST {site baseUrl}/app/report-accounts/`, `Authorization: JWT` (the app's HS256 token,
 *   qsh of this request), body `{ "accounts": [{ "accountId", "updatedAt" }] }`, `updatedAt`
 *   being when the app retrieved or last updated that person's data (RFC 3339).
 * - At most 90 accounts per request.
 * - 200 `{ "accounts": [{ "accountId", "status": "closed" | "updated" }] }`: erase the data of
 *   `closed` accounts, refresh the data of `updated` ones. 204: nothing to do.
 * - 429 with `Retry-After` (seconds): wait that long.
 * - The cycle: 7 days by default ("By default, the cycle period is 7 days"); reports for one
 *   account must not be sent more often than the cycle period, which the API may lengthen with
 *   the `Cycle-Period` response header. Its unit is not stated in the guide: it is read as
 *   seconds or an ISO-8601 duration and only ever used to lengthen the 7-day default.
 */

export const REPORT_ACCOUNTS_PATH = '/app/report-accounts/';
export const MAX_ACCOUNTS_PER_REQUEST = 90;
export const DEFAULT_CYCLE_MS = 7 * 86_400_000;
const MAX_CYCLE_MS = 30 * 86_400_000;

export interface ReportedAccount {
  accountId: string;
  /** When the app retrieved or last changed this person's data. */
  updatedAt: Date;
}

export type AccountStatus = 'closed' | 'updated';

export type ReportOutcome =
  | { kind: 'ok'; accounts: { accountId: string; status: AccountStatus }[]; cyclePeriodMs?: number }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'failed'; status: number };

const responseBody = z.object({
  accounts: z.array(z.object({ accountId: z.string().min(1).max(128), status: z.string() })).default([]),
});

/** `Cycle-Period` as milliseconds: integer seconds or an ISO-8601 duration (PnDTnHnMnS). */
export function parseCyclePeriod(header: string | null): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  let ms: number | undefined;
  if (/^\d{1,10}$/.test(v)) ms = Number(v) * 1000;
  else {
    const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(v);
    if (m && v.length > 1 && !/T$/i.test(v)) {
      const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
      ms = ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
    }
  }
  return ms && ms > 0 ? Math.min(ms, MAX_CYCLE_MS) : undefined;
}

/** How long to wait after a 429 that did not say (Retry-After absent). */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/**
 * Reports one batch (≤ 90 accounts) for one site, as the app. The product client's own retries
 * are off: a 429 comes back here so its Retry-After can end the run instead of blocking it.
 */
export async function reportAccounts(rq: ProductRequester, batch: ReportedAccount[]): Promise<ReportOutcome> {
  if (batch.length === 0 || batch.length > MAX_ACCOUNTS_PER_REQUEST) {
    throw new Error(`a report holds 1..${MAX_ACCOUNTS_PER_REQUEST} accounts, got ${batch.length}`);
  }
  let res;
  try {
    res = await rq.request(REPORT_ACCOUNTS_PATH, {
      method: 'POST',
      body: { accounts: batch.map((a) => ({ accountId: a.accountId, updatedAt: a.updatedAt.toISOString() })) },
      retry: false,
    });
  } catch (err) {
    if (isProductApiError(err) && err.kind === 'rate_limited') return { kind: 'rate-limited', retryAfterMs: err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS };
    return { kind: 'failed', status: isProductApiError(err) ? (err.status ?? 0) : 0 };
  }
  const cyclePeriodMs = parseCyclePeriod(res.headers.get('cycle-period'));
  if (res.status === 204) return { kind: 'ok', accounts: [], cyclePeriodMs };
  const parsed = responseBody.safeParse(res.body);
  if (res.status !== 200 || !parsed.success) return { kind: 'failed', status: res.status };
  // Only act on accounts we asked about, and only on the two statuses the API defines.
  const asked = new Set(batch.map((a) => a.accountId));
  const accounts = parsed.data.accounts.filter(
    (a): a is { accountId: string; status: AccountStatus } => asked.has(a.accountId) && (a.status === 'closed' || a.status === 'updated'),
  );
  return { kind: 'ok', accounts, cyclePeriodMs };
}

export function batches<T>(items: T[], size = MAX_ACCOUNTS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
