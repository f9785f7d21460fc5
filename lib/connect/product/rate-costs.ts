/**
 * What the client expects a call to cost in Jira's hourly points quota, before it sends it, and
 * what the answer says it cost. After Atlassian's "Rate limiting", section "How points work":
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 *
 *   base cost 1 point per request, plus per object in the answer: core objects (issues, projects…)
 *   1, identity and access objects (users, groups, permissions) 2, anything else 1; writes (POST,
 *   PUT, PATCH, DELETE) pay the base cost only. Atlassian's examples: GET issue = 2,
 *   GET group/member with 8 users = 17, POST issue = 1.
 *
 * The table below is the client's own estimate per endpoint (the objects it expects in the
 * answer). It is refined per call: once an answer is in, its objects are counted the same way and
 * the budget is charged the difference, and the next call to that endpoint is estimated at what
 * the last one cost. The product's own accounting (`X-RateLimit-Remaining`, `RateLimit`) corrects
 * the shared budget on top of that (rate-pacer.ts).
 */

export const COST_SOURCE = 'https://developer.atlassian.com/cloud/jira/platform/rate-limiting/';

type Category = 'core' | 'identity' | 'other';
const PER_OBJECT: Record<Category, number> = { core: 1, identity: 2, other: 1 };

interface Rule {
  /** GET, or POST for the POSTs that only read (charged as reads). */
  method: 'GET' | 'POST' | 'READ';
  path: RegExp;
  category: Category;
  /** Objects expected before the answer (from the request), and counted in a 2xx answer. */
  expect: (query: URLSearchParams, body: unknown) => number;
  count?: (body: unknown) => number;
}

const V = String.raw`\/rest\/api\/[23]`;
const listOf = (field: string) => (body: unknown) => {
  const v = (body as Record<string, unknown> | null)?.[field];
  return Array.isArray(v) ? v.length : 0;
};
const maxResults = (q: URLSearchParams, body: unknown, dflt: number) => {
  const n = Number(q.get('maxResults') ?? (body as { maxResults?: unknown } | null)?.maxResults ?? dflt);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 5_000) : dflt;
};
const permissionsAsked = (_q: URLSearchParams, body: unknown) => {
  const b = (body ?? {}) as { globalPermissions?: unknown[]; projectPermissions?: { permissions?: unknown[] }[] };
  const n = (b.globalPermissions?.length ?? 0) + (b.projectPermissions ?? []).reduce((s, p) => s + (p.permissions?.length ?? 0), 0);
  return Math.max(1, n);
};
const permissionsIn = (body: unknown) => {
  const b = (body ?? {}) as { globalPermissions?: unknown[]; projectPermissions?: unknown[]; permissions?: Record<string, unknown> };
  return (b.globalPermissions?.length ?? 0) + (b.projectPermissions?.length ?? 0) + Object.keys(b.permissions ?? {}).length;
};

const RULES: Rule[] = [
  { method: 'GET', path: new RegExp(`^${V}/issue/[^/]+/properties$`), category: 'other', expect: () => 5, count: listOf('keys') },
  { method: 'GET', path: new RegExp(`^${V}/issue/[^/]+/properties/[^/]+$`), category: 'other', expect: () => 1 },
  { method: 'GET', path: new RegExp(`^${V}/issue/[^/]+$`), category: 'core', expect: () => 1 },
  { method: 'READ', path: new RegExp(`^${V}/search(/jql)?$`), category: 'core', expect: (q, b) => maxResults(q, b, 50), count: listOf('issues') },
  { method: 'GET', path: new RegExp(`^${V}/project/search$`), category: 'core', expect: (q, b) => maxResults(q, b, 50), count: listOf('values') },
  { method: 'GET', path: new RegExp(`^${V}/(myself|user)$`), category: 'identity', expect: () => 1 },
  { method: 'GET', path: new RegExp(`^${V}/user/bulk$`), category: 'identity', expect: (q) => Math.max(1, q.getAll('accountId').length), count: listOf('values') },
  { method: 'GET', path: new RegExp(`^${V}/group/member$`), category: 'identity', expect: (q, b) => maxResults(q, b, 50), count: listOf('values') },
  { method: 'POST', path: new RegExp(`^${V}/permissions/check$`), category: 'identity', expect: permissionsAsked, count: permissionsIn },
  { method: 'GET', path: new RegExp(`^${V}/mypermissions$`), category: 'identity', expect: () => 5, count: permissionsIn },
  { method: 'GET', path: /^\/rest\/api\/user(\/current)?$/, category: 'identity', expect: () => 1 },
];

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function ruleFor(method: string, path: string): Rule | undefined {
  return RULES.find((r) => (r.method === method || (r.method === 'READ' && (method === 'GET' || method === 'POST'))) && r.path.test(path));
}

/** A call as the cost table sees it: its estimate before sending, and how to count its answer. */
export interface CostEstimate {
  points: number;
  /** Counts the real cost from a 2xx answer's text (undefined: the estimate stands). */
  actual(status: number, text: string): number;
}

export function estimateCost(method: string, path: string, query: URLSearchParams, body: unknown): CostEstimate {
  const m = method.toUpperCase();
  const rule = ruleFor(m, path);
  if (!rule && WRITES.has(m)) return { points: 1, actual: () => 1 };
  const per = PER_OBJECT[rule?.category ?? 'other'];
  const expected = rule ? rule.expect(query, body) : 1;
  const points = 1 + expected * per;
  return {
    points,
    actual: (status, text) => {
      if (status < 200 || status > 299) return 1;
      if (!rule?.count) return points;
      try {
        return 1 + rule.count(text ? JSON.parse(text) : undefined) * per;
      } catch {
        return points;
      }
    },
  };
}
