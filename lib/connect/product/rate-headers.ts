/**
 * What a product answer says about the budgets, per "Rate limiting" ("Rate limit related
 * headers"): https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 *
 * - `RateLimit-Policy: "global-app-quota";q=65000;w=3600` names each limit in force and its size:
 *   `global-app-quota` is the app-wide pool (Tier 1), `tenant-app-quota` the site's own quota
 *   (Tier 2), `jira-burst-based` the endpoint's per-second limit.
 * - `RateLimit: "global-app-quota";r=11000;t=600`: what is left (`r`, sent once near the limit)
 *   and the seconds until the window resets.
 * - `X-RateLimit-Limit` / `X-RateLimit-Remaining`: the quota's size and what is left when a
 *   quota is enforced, else the endpoint's request limit. Read as the quota's only when the
 *   limit matches a quota the policy header names.
 * Atlassian has shipped these under a `Beta-` prefix during the rollout; both spellings are read.
 */
export interface QuotaReading {
  scope: 'app' | 'site';
  limit?: number;
  remaining?: number;
}

export interface RateReading {
  quotas: QuotaReading[];
  /** The endpoint's per-second limit (`jira-burst-based`'s q). */
  burstPerSecond?: number;
}

interface Entry {
  name: string;
  params: Record<string, number>;
}

/** `"name";k=v;k=v, "name2";…` (a structured-field list, as Atlassian sends it). */
export function parseEntries(value: string | null): Entry[] {
  if (!value) return [];
  const out: Entry[] = [];
  for (const item of value.split(',')) {
    const [rawName, ...rest] = item.split(';').map((s) => s.trim());
    const name = rawName?.replace(/^"|"$/g, '');
    if (!name) continue;
    const params: Record<string, number> = {};
    for (const kv of rest) {
      const [k, v] = kv.split('=');
      const n = Number(v);
      if (k && v !== undefined && Number.isFinite(n)) params[k] = n;
    }
    out.push({ name, params });
  }
  return out;
}

const QUOTA_NAMES: Record<string, QuotaReading['scope']> = { 'global-app-quota': 'app', 'tenant-app-quota': 'site' };

export function readRateHeaders(headers: Headers): RateReading {
  const policy = parseEntries(headers.get('ratelimit-policy') ?? headers.get('beta-ratelimit-policy'));
  const state = parseEntries(headers.get('ratelimit') ?? headers.get('beta-ratelimit'));
  const quotas = new Map<QuotaReading['scope'], QuotaReading>();
  let burstPerSecond: number | undefined;
  for (const e of policy) {
    const scope = QUOTA_NAMES[e.name];
    if (scope && e.params.q! > 0) quotas.set(scope, { scope, limit: e.params.q });
    if (e.name === 'jira-burst-based' && e.params.q! > 0 && (e.params.w ?? 1) === 1) burstPerSecond = e.params.q;
  }
  for (const e of state) {
    const scope = QUOTA_NAMES[e.name];
    if (scope && e.params.r !== undefined && e.params.r >= 0) quotas.set(scope, { ...(quotas.get(scope) ?? { scope }), remaining: e.params.r });
  }
  const xLimit = Number(headers.get('x-ratelimit-limit'));
  const xRemaining = Number(headers.get('x-ratelimit-remaining'));
  if (headers.has('x-ratelimit-remaining') && Number.isFinite(xRemaining) && xRemaining >= 0) {
    const match = [...quotas.values()].find((q) => q.limit === xLimit);
    if (match && match.remaining === undefined) match.remaining = xRemaining;
  }
  return { quotas: [...quotas.values()], ...(burstPerSecond ? { burstPerSecond } : {}) };
}
