import { beforeEach, describe, expect, it } from 'vitest';
import { RateLimitConfigError } from './config';
import { costOf, tenantQuota } from './costs';
import { RateLimiter, type Admission, type CallContext } from './limiter';

/** The limiter alone, on a fake clock: no test waits for time to pass. */

const HOUR = 3_600_000;
const START = Date.UTC(2026, 5, 1, 10, 0, 0);
let t: number;
let rl: RateLimiter;

const SITE_A = { appKey: 'app', clientKey: 'site-a', product: 'jira' } as const;
const SITE_B = { appKey: 'app', clientKey: 'site-b', product: 'jira' } as const;
const ISSUE = { id: '10001', key: 'DEMO-1', self: 'x', fields: {} };

/** One call through the limiter; answers 200 with `body` (default: one issue) when admitted. */
function call(site: SiteOf, method: string, path: string, body: unknown = ISSUE, status = 200) {
  const a: Admission = rl.admit({ ...site, method, path });
  return a.ok ? { status, headers: a.settle(status, body) } : { status: 429, headers: a.headers };
}
type SiteOf = Pick<CallContext, 'appKey' | 'clientKey' | 'product'>;
const getIssue = (site: SiteOf = SITE_A, key = 'DEMO-1') => call(site, 'GET', `/rest/api/3/issue/${key}`);
const putProperty = (key: string, site: SiteOf = SITE_A) => call(site, 'PUT', `/rest/api/3/issue/${key}/properties/checklist`, undefined, 200);

beforeEach(() => {
  t = START;
  rl = new RateLimiter(() => t);
});

describe('the cost table (Atlassian: base 1 point + per object; writes base only)', () => {
  it('prices calls as the documented examples do', () => {
    expect(costOf('GET', '/rest/api/3/issue/ABC-123', 200, ISSUE).points).toBe(2);
    const eightUsers = { values: Array.from({ length: 8 }, (_, i) => ({ accountId: String(i) })) };
    expect(costOf('GET', '/rest/api/3/user/bulk', 200, eightUsers).points).toBe(17);
    expect(costOf('PUT', '/rest/api/3/issue/DEMO-1/properties/x', 200, undefined)).toMatchObject({ points: 1, category: 'write' });
    expect(costOf('DELETE', '/rest/api/3/issue/DEMO-1/properties/x', 204, undefined).points).toBe(1);
    expect(costOf('GET', '/rest/api/3/myself', 200, {})).toMatchObject({ points: 3, category: 'identity' });
  });

  it('charges read-only POSTs as reads, and failed reads the base point only', () => {
    expect(costOf('POST', '/rest/api/3/permissions/check', 200, { globalPermissions: ['ADMINISTER', 'USER_PICKER'], projectPermissions: [] })).toMatchObject({ points: 5, category: 'identity' });
    expect(costOf('POST', '/rest/api/3/search/jql', 200, { issues: [ISSUE, ISSUE, ISSUE] })).toMatchObject({ points: 4, category: 'core' });
    expect(costOf('GET', '/rest/api/3/issue/NOPE-9', 404, { errorMessages: ['x'] }).points).toBe(1);
    expect(costOf('GET', '/rest/api/3/serverInfo', 200, {})).toMatchObject({ points: 2, category: 'other' });
  });

  it('computes Tier 2 quotas by edition, capped at 500,000', () => {
    expect(tenantQuota('standard', 2000)).toBe(120_000);
    expect(tenantQuota('enterprise', 15_000)).toBe(500_000);
    expect(tenantQuota('free', 15_000)).toBe(65_000);
  });

  it('keeps a ledger per site whose figures match the table, with nothing enforced', () => {
    getIssue();
    getIssue();
    call(SITE_A, 'GET', '/rest/api/3/user', { accountId: 'u' });
    putProperty('DEMO-1');
    getIssue(SITE_B);
    const snap = rl.snapshot();
    expect(snap.sites.find((s) => s.clientKey === 'site-a')).toMatchObject({ spent: 2 + 2 + 3 + 1, requests: 4, byCategory: { core: 4, identity: 3, write: 1, other: 0 } });
    expect(snap.sites.find((s) => s.clientKey === 'site-b')).toMatchObject({ spent: 2, requests: 1 });
    expect(snap.quota).toEqual([]);
    // Off by default: no headers on answers.
    expect(getIssue().headers).toEqual({});
  });
});

describe('burst limit (per site, endpoint and method)', () => {
  beforeEach(() => rl.configure({ burst: { perSecond: { GET: 2, PUT: 2 } } }));

  it('refuses the call over the rate with jira-burst-based and the documented headers', () => {
    expect([getIssue().status, getIssue(SITE_A, 'DEMO-2').status]).toEqual([200, 200]);
    const refused = getIssue();
    expect(refused.status).toBe(429);
    expect(refused.headers).toEqual({
      'retry-after': 1,
      'x-ratelimit-limit': 2,
      'x-ratelimit-remaining': 0,
      'x-ratelimit-reset': '2026-06-01T10:00:01Z',
      'ratelimit-reason': 'jira-burst-based',
    });
  });

  it('leaves other endpoints, other methods and other sites alone', () => {
    getIssue();
    getIssue();
    expect(getIssue().status).toBe(429);
    expect(call(SITE_A, 'GET', '/rest/api/3/myself', {}).status).toBe(200);
    expect(putProperty('DEMO-1').status).toBe(200);
    expect(getIssue(SITE_B).status).toBe(200);
    // One endpoint, two methods: two buckets.
    const getProperty = () => call(SITE_A, 'GET', '/rest/api/3/issue/DEMO-1/properties/checklist', { key: 'checklist', value: 1 }).status;
    expect([getProperty(), getProperty(), getProperty()]).toEqual([200, 200, 429]);
    expect(putProperty('DEMO-1').status).toBe(200);
  });

  it('refills at the steady-state rate; refused calls take no token', () => {
    getIssue();
    getIssue();
    expect(getIssue().status).toBe(429);
    expect(getIssue().status).toBe(429);
    t += 500; // one token back
    expect(getIssue().status).toBe(200);
    expect(getIssue().status).toBe(429);
    const bucket = rl.snapshot().burst.find((b) => b.endpoint === '/rest/api/{version}/issue/{issueIdOrKey}' && b.clientKey === 'site-a');
    expect(bucket).toMatchObject({ method: 'GET', perSecond: 2, requests: 3, refused: 3 });
  });

  it('reports the bucket on successful answers, without NearLimit', () => {
    const ok = getIssue();
    expect(ok.headers).toMatchObject({ 'x-ratelimit-limit': 2, 'x-ratelimit-remaining': 1, 'ratelimit-policy': '"jira-burst-based";q=2;w=1', ratelimit: '"jira-burst-based";r=1;t=1' });
    getIssue();
    expect(getIssue().headers).not.toHaveProperty('x-ratelimit-nearlimit');
  });

  it('uses an endpoint-specific bucket over the method default', () => {
    rl.configure({ burst: { perSecond: 100, endpoints: [{ method: 'GET', endpoint: '/rest/api/{version}/myself', perSecond: 1 }] } });
    const myself = () => call(SITE_A, 'GET', '/rest/api/3/myself', {}).status;
    expect([myself(), myself()]).toEqual([200, 429]);
    expect([getIssue().status, getIssue().status, getIssue().status]).toEqual([200, 200, 200]);
  });
});

describe('per-issue write limit', () => {
  it('refuses the third write to one issue within 2 s, not other issues or reads', () => {
    rl.configure({ perIssueWrites: { windows: [{ limit: 2, seconds: 2 }] } });
    expect([putProperty('DEMO-1').status, putProperty('DEMO-1').status]).toEqual([200, 200]);
    t += 500;
    // 10001 is DEMO-1's id: the same issue.
    const refused = putProperty('10001');
    expect(refused).toEqual({
      status: 429,
      headers: { 'retry-after': 2, 'x-ratelimit-limit': 2, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': '2026-06-01T10:00:02Z', 'ratelimit-reason': 'jira-per-issue-on-write' },
    });
    expect(putProperty('DEMO-2').status).toBe(200);
    expect(getIssue().status).toBe(200);
    expect(putProperty('DEMO-1', SITE_B).status).toBe(200);
    t = START + 2000; // the first two writes leave the window
    expect(putProperty('DEMO-1').status).toBe(200);
  });

  it('applies Atlassian’s two windows by default: 20 per 2 s and 100 per 30 s', () => {
    rl.configure({ perIssueWrites: true });
    const burst = Array.from({ length: 21 }, () => putProperty('DEMO-1').status);
    expect(burst.filter((s) => s === 200)).toHaveLength(20);
    expect(burst[20]).toBe(429);
    // 100 writes spaced 200 ms apart stay under the short window but fill the long one.
    for (let i = 0; i < 100; i++, t += 200) expect(putProperty('DEMO-2').status).toBe(200);
    const refused = putProperty('DEMO-2');
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ratelimit-limit']).toBe(100);
    // The oldest of them (at START) leaves the 30 s window 10 s from now.
    expect(refused.headers['retry-after']).toBe(10);
  });
});

describe('hourly points quota', () => {
  it('per site (Tier 2) stops site A and not site B, until the top of the hour', () => {
    rl.configure({ quota: { pointsPerHour: 10, scope: 'site' } });
    t = START + 15 * 60_000;
    for (let i = 0; i < 5; i++) expect(getIssue().status).toBe(200);
    const refused = getIssue();
    expect(refused).toEqual({
      status: 429,
      headers: { 'retry-after': 2700, 'x-ratelimit-limit': 10, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': '2026-06-01T11:00:00Z', 'ratelimit-reason': 'jira-quota-tenant-based' },
    });
    expect(putProperty('DEMO-1').status).toBe(429);
    expect(getIssue(SITE_B).status).toBe(200);
    t = START + HOUR;
    expect(getIssue().status).toBe(200);
    expect(rl.snapshot().sites.find((s) => s.clientKey === 'site-a')).toMatchObject({ spent: 2, requests: 1, refused: 0 });
  });

  it('per site honours a site’s own quota', () => {
    rl.configure({ quota: { pointsPerHour: 1000, scope: 'site', sites: { 'site-b': 2 } } });
    expect([getIssue(SITE_B).status, getIssue(SITE_B).status]).toEqual([200, 429]);
    expect(getIssue().status).toBe(200);
  });

  it('in the app pool (Tier 1) stops every site, with the global reason', () => {
    rl.configure({ quota: { pointsPerHour: 6, scope: 'app' } });
    getIssue();
    getIssue(SITE_B);
    getIssue();
    expect(getIssue().headers['ratelimit-reason']).toBe('jira-quota-global-based');
    expect(getIssue(SITE_B).headers['ratelimit-reason']).toBe('jira-quota-global-based');
    expect(call({ appKey: 'app', clientKey: 'wiki', product: 'confluence' }, 'GET', '/rest/api/user/current', {}).headers['ratelimit-reason']).toBe('confluence-quota-global-based');
    // Another app has its own pool.
    expect(getIssue({ ...SITE_A, appKey: 'other-app' }).status).toBe(200);
    expect(rl.snapshot().quota).toContainEqual({ pool: 'app', appKey: 'app', limit: 6, spent: 6, remaining: 0, nearLimit: true });
  });

  it('costs nothing for refused calls', () => {
    rl.configure({ quota: { pointsPerHour: 4, scope: 'app' } });
    getIssue();
    getIssue();
    for (let i = 0; i < 5; i++) getIssue();
    expect(rl.snapshot().sites[0]).toMatchObject({ spent: 4, requests: 2, refused: 5 });
  });

  it('sends NearLimit on successful answers once less than 20 % is left', () => {
    rl.configure({ quota: { pointsPerHour: 100, scope: 'app' } });
    let last = getIssue();
    for (let i = 1; i < 40; i++) last = getIssue(); // 80 points spent, 20 left: not yet under 20 %
    expect(last.headers).toMatchObject({ 'x-ratelimit-limit': 100, 'x-ratelimit-remaining': 20, 'ratelimit-policy': '"global-app-quota";q=100;w=3600', ratelimit: '"global-app-quota";t=3600' });
    expect(last.headers).not.toHaveProperty('x-ratelimit-nearlimit');
    const near = getIssue();
    expect(near.headers).toMatchObject({ 'x-ratelimit-remaining': 18, 'x-ratelimit-nearlimit': 'true', ratelimit: '"global-app-quota";r=18;t=3600' });
  });

  it('refuses bad configurations', () => {
    expect(() => rl.configure({ quota: { scope: 'planet' } })).toThrow(RateLimitConfigError);
    expect(() => rl.configure({ burst: { perSecond: 0 } })).toThrow(RateLimitConfigError);
    expect(rl.config.quota).toBeNull();
  });
});
