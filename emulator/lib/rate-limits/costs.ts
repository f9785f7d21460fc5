/**
 * What one product REST call costs in Jira's points-based quota, after Atlassian's page
 * "Rate limiting", section "How points work" (read 2026-08; page last updated Aug 12, 2026):
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 *
 *   "Each request starts with a base cost of 1 point, and additional points are added for each
 *    object involved. Write requests are charged only the base cost, with no additional points."
 *
 * | operation type                                   | per object | examples (Atlassian's)                  |
 * |--------------------------------------------------|------------|-----------------------------------------|
 * | Core domain objects (GET)                        | 1          | issues, projects, dashboards, attachments |
 * | Identity & access (GET)                          | 2          | users, groups, project roles, permissions |
 * | Write / modify / delete (POST, PUT, PATCH, DELETE) | 0 (base only) | create or edit issues               |
 * | Others (GET of uncategorized objects)            | 1          | anything not listed above               |
 *
 * Atlassian's worked examples: `GET /rest/api/3/issue/ABC-123` = 1 + 1 issue = 2 points;
 * `GET /rest/api/3/group/member` returning 8 users = 1 + 8 × 2 = 17; `POST /rest/api/3/issue` = 1.
 *
 * Where the page is silent, the emulator chooses (and the tests pin the choice):
 * - POSTs that only read (`permissions/check`, `search/jql`) are charged as the read they are
 *   (identity and core objects), not as a 1-point write. Partners report both as expensive.
 * - The objects counted are those in the answer; an answer that is not 2xx carries none, so a
 *   failed read costs the base point only.
 * - `permissions/check` and `mypermissions` count each permission in the answer as one object.
 */

export type CostCategory = 'core' | 'identity' | 'write' | 'other';

export const BASE_POINTS = 1;

/** Points per object by category (the table above). */
export const POINTS_PER_OBJECT: Readonly<Record<CostCategory, number>> = { core: 1, identity: 2, write: 0, other: 1 };

export const COST_SOURCE = 'https://developer.atlassian.com/cloud/jira/platform/rate-limiting/';

interface CostRule {
  method: 'GET' | 'POST' | 'READ';
  path: RegExp;
  /** The documented endpoint template, which also names the burst bucket. */
  endpoint: string;
  category: Exclude<CostCategory, 'write'>;
  /** Objects in a 2xx answer. */
  objects: (body: unknown) => number;
}

const one = () => 1;
const lengthOf = (field: string) => (body: unknown) => {
  const v = (body as Record<string, unknown> | undefined)?.[field];
  return Array.isArray(v) ? v.length : 0;
};
const permissionsIn = (body: unknown) => {
  const b = (body ?? {}) as { globalPermissions?: unknown[]; projectPermissions?: unknown[]; permissions?: Record<string, unknown> };
  return (b.globalPermissions?.length ?? 0) + (b.projectPermissions?.length ?? 0) + Object.keys(b.permissions ?? {}).length;
};

const V = String.raw`\/rest\/api\/[23]`;
/** The emulator's read endpoints (rest.ts, issues/rest.ts), most specific first. */
const RULES: CostRule[] = [
  { method: 'GET', path: new RegExp(`^${V}/issue/[^/]+/properties$`), endpoint: '/rest/api/{version}/issue/{issueIdOrKey}/properties', category: 'other', objects: lengthOf('keys') },
  { method: 'GET', path: new RegExp(`^${V}/issue/[^/]+/properties/[^/]+$`), endpoint: '/rest/api/{version}/issue/{issueIdOrKey}/properties/{propertyKey}', category: 'other', objects: one },
  { method: 'GET', path: new RegExp(`^${V}/issue/[^/]+$`), endpoint: '/rest/api/{version}/issue/{issueIdOrKey}', category: 'core', objects: one },
  { method: 'READ', path: new RegExp(`^${V}/search/jql$`), endpoint: '/rest/api/{version}/search/jql', category: 'core', objects: lengthOf('issues') },
  { method: 'GET', path: new RegExp(`^${V}/search$`), endpoint: '/rest/api/{version}/search', category: 'core', objects: lengthOf('issues') },
  { method: 'GET', path: new RegExp(`^${V}/project/search$`), endpoint: '/rest/api/{version}/project/search', category: 'core', objects: lengthOf('values') },
  { method: 'GET', path: new RegExp(`^${V}/myself$`), endpoint: '/rest/api/{version}/myself', category: 'identity', objects: one },
  { method: 'GET', path: new RegExp(`^${V}/user$`), endpoint: '/rest/api/{version}/user', category: 'identity', objects: one },
  { method: 'GET', path: new RegExp(`^${V}/user/bulk$`), endpoint: '/rest/api/{version}/user/bulk', category: 'identity', objects: lengthOf('values') },
  { method: 'POST', path: new RegExp(`^${V}/permissions/check$`), endpoint: '/rest/api/{version}/permissions/check', category: 'identity', objects: permissionsIn },
  { method: 'GET', path: new RegExp(`^${V}/mypermissions$`), endpoint: '/rest/api/{version}/mypermissions', category: 'identity', objects: permissionsIn },
  { method: 'GET', path: /^\/rest\/api\/user(\/current)?$/, endpoint: '/rest/api/user', category: 'identity', objects: one },
  { method: 'GET', path: /^\/rest\/atlassian-connect\/1\/addons\/[^/]+$/, endpoint: '/rest/atlassian-connect/1/addons/{appKey}', category: 'other', objects: one },
];

/** Write endpoints' templates (for burst buckets and the per-issue limit). */
const WRITE_ENDPOINTS: { path: RegExp; endpoint: string }[] = [
  { path: new RegExp(`^${V}/issue/[^/]+/properties/[^/]+$`), endpoint: '/rest/api/{version}/issue/{issueIdOrKey}/properties/{propertyKey}' },
  { path: new RegExp(`^${V}/issue/[^/]+$`), endpoint: '/rest/api/{version}/issue/{issueIdOrKey}' },
];

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function ruleFor(method: string, path: string): CostRule | undefined {
  return RULES.find((r) => (r.method === method || (r.method === 'READ' && (method === 'GET' || method === 'POST'))) && r.path.test(path));
}

/** Whether the call is charged as a write (base cost only, and subject to the per-issue limit). */
export function isWrite(method: string, path: string): boolean {
  return WRITE_METHODS.has(method) && !ruleFor(method, path);
}

/**
 * The endpoint a call belongs to, as a template (`/rest/api/{version}/issue/{issueIdOrKey}`):
 * Jira keeps one burst bucket per endpoint and method. Unknown paths keep their own path.
 */
export function endpointOf(method: string, path: string): string {
  return ruleFor(method, path)?.endpoint ?? WRITE_ENDPOINTS.find((w) => w.path.test(path))?.endpoint ?? path;
}

/** The issue (id or key, as written) a write targets, for the per-issue write limit. */
export function writtenIssue(method: string, path: string): string | undefined {
  if (!isWrite(method, path)) return undefined;
  const m = new RegExp(`^${V}/issue/([^/]+)(?:/|$)`).exec(path);
  return m && m[1] !== 'bulk' ? decodeURIComponent(m[1]!) : undefined;
}

export interface Cost {
  points: number;
  category: CostCategory;
  objects: number;
  endpoint: string;
}

/** The points a call costs, from its method, path and the answer it got. */
export function costOf(method: string, path: string, status: number, body: unknown): Cost {
  const endpoint = endpointOf(method, path);
  if (isWrite(method, path)) return { points: BASE_POINTS, category: 'write', objects: 0, endpoint };
  const rule = ruleFor(method, path);
  const category = rule?.category ?? 'other';
  const ok = status >= 200 && status < 300;
  const objects = ok ? (rule ? rule.objects(body) : 1) : 0;
  return { points: BASE_POINTS + objects * POINTS_PER_OBJECT[category], category, objects, endpoint };
}

/** The cost table as the control API shows it. */
export function costTable(): { base: number; perObject: Record<CostCategory, number>; source: string; endpoints: { method: string; endpoint: string; category: CostCategory }[] } {
  return {
    base: BASE_POINTS,
    perObject: { ...POINTS_PER_OBJECT },
    source: COST_SOURCE,
    endpoints: RULES.map((r) => ({ method: r.method === 'READ' ? 'GET|POST' : r.method, endpoint: r.endpoint, category: r.category })),
  };
}

/**
 * Tier 2 (per-tenant pool) hourly quota by edition, from the same page ("Points-based rate limit
 * quotas by tiers"): Free 65,000; Standard 100,000 + 10 × users; Premium 130,000 + 20 × users;
 * Enterprise 150,000 + 30 × users; paid editions capped at 500,000. Tier 1 (the default) is one
 * 65,000-point pool shared by the app across all tenants.
 */
export type Edition = 'free' | 'standard' | 'premium' | 'enterprise';
export const GLOBAL_POOL_POINTS = 65_000;
export function tenantQuota(edition: Edition, users: number): number {
  const { base, perUser } = { free: { base: 65_000, perUser: 0 }, standard: { base: 100_000, perUser: 10 }, premium: { base: 130_000, perUser: 20 }, enterprise: { base: 150_000, perUser: 30 } }[edition];
  return edition === 'free' ? base : Math.min(500_000, base + perUser * Math.max(0, Math.floor(users)));
}
