import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectError } from '../errors';
import type { RequestContext } from '../auth';
import { builtInPolicies } from '../policies';
import { CachedProductReads } from './cached-reads';
import { createLicenseResolver } from './license';
import { checkGlobalPermission, getAppLicense, getIssue, getUser } from './reads';
import { SwrCache } from './swr-cache';
import { FakeProduct, newFakeSite, TenantDirectory, tenantOf, TEST_APP_KEY, type FakeSite } from '../testing';
import { fastClient } from '../testing/product-client';

const issueShapeThatEchoLacks = z.object({ id: z.string() });
const fakes: FakeProduct[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function setup(site: Partial<FakeSite> = {}) {
  const fake = new FakeProduct(newFakeSite(site));
  await fake.start();
  fakes.push(fake);
  const dir = new TenantDirectory();
  dir.put(tenantOf(fake));
  const client = fastClient(dir, fake);
  return { fake, client, ck: fake.site.clientKey, tenant: tenantOf(fake) };
}

describe('typed reads', () => {
  it('getIssue asks only for the fields it needs and validates the answer', async () => {
    const { fake, client, ck } = await setup();
    const issue = await getIssue(client.asApp(ck), 'ABC-1', { fields: ['summary', 'status'] });
    expect(issue).toEqual({ id: '10001', key: 'ABC-1', fields: { summary: 'First issue' } });
    expect(fake.requests[0]!.query.get('fields')).toBe('summary,status');
  });

  it('getUser uses the Jira or the Confluence user API depending on the site', async () => {
    const jira = await setup();
    expect(await getUser(jira.client.asApp(jira.ck), 'user-1')).toMatchObject({ accountId: 'user-1', displayName: 'Ada Lovelace' });
    expect(jira.fake.requests[0]!.path).toBe('/rest/api/3/user');
    const conf = await setup({ basePath: '/wiki', productType: 'confluence' });
    expect(await getUser(conf.client.asApp(conf.ck), 'user-1')).toMatchObject({ displayName: 'Ada Lovelace' });
    expect(conf.fake.requests[0]!.path).toBe('/rest/api/user');
    expect(conf.fake.authFailures).toEqual([]);
  });

  it('checkGlobalPermission answers for admins and others, and is retried although it is a POST', async () => {
    const { fake, client, ck } = await setup();
    expect(await checkGlobalPermission(client.asApp(ck), 'admin-1', 'ADMINISTER')).toBe(true);
    expect(await checkGlobalPermission(client.asApp(ck), 'user-1', 'ADMINISTER')).toBe(false);
    fake.inject({ status: 503, times: 1, pathPrefix: '/rest/api/3/permissions' });
    expect(await checkGlobalPermission(client.asApp(ck), 'admin-1', 'ADMINISTER')).toBe(true);
    expect(fake.count('/rest/api/3/permissions/check')).toBe(4);
  });

  it('getAppLicense maps the add-on API, with and without a license object', async () => {
    const { fake, client, ck } = await setup();
    fake.license = { active: false, type: 'commercial', evaluation: true, nearlyExpired: true };
    expect(await getAppLicense(client.asApp(ck), TEST_APP_KEY)).toMatchObject({ appKey: TEST_APP_KEY, state: 'ENABLED', present: true, active: false, evaluation: true, nearlyExpired: true });
    fake.license = { active: true, maximumNumberOfUsers: 'unlimited', subscriptionEndDate: 1767225600000 };
    expect(await getAppLicense(client.asApp(ck), TEST_APP_KEY)).toMatchObject({ active: true, maximumNumberOfUsers: null, subscriptionEndDate: '1767225600000' });
    fake.license = null;
    expect(await getAppLicense(client.asApp(ck), TEST_APP_KEY)).toMatchObject({ present: false, active: false, evaluation: false });
  });

  it('turns a body of the wrong shape into invalid_response', async () => {
    const { client, ck } = await setup();
    await expect(client.asApp(ck).get('/rest/test/echo', { schema: issueShapeThatEchoLacks })).rejects.toMatchObject({ kind: 'invalid_response' });
  });
});

describe('license for context-JWT API calls (ApiAuthOptions.resolveLicense)', () => {
  function resolver(client: ReturnType<typeof fastClient>, whenAbsent: 'licensed' | 'unlicensed') {
    // The site is local: a generous budget, so only "down" (refused at once) can end a lookup empty.
    const reads = new CachedProductReads(client, { cache: new SwrCache({ freshMs: 60_000 }), appKey: TEST_APP_KEY, renderBudgetMs: 30_000 });
    return createLicenseResolver(reads, { whenAbsent });
  }

  it('is licensed only when the product says the license is active', async () => {
    const { fake, client, tenant } = await setup();
    expect(await resolver(client, 'unlicensed')(tenant)).toEqual({ param: 'active', licensed: true });
    fake.license = { active: false };
    expect(await resolver(client, 'licensed')(tenant)).toEqual({ param: 'none', licensed: false });
    fake.license = null; // no licensing (free app, development): the configured policy
    expect(await resolver(client, 'licensed')(tenant)).toEqual({ param: 'absent', licensed: true });
    expect(await resolver(client, 'unlicensed')(tenant)).toEqual({ param: 'absent', licensed: false });
  });

  it('fails closed in production when the product cannot be asked and nothing is cached', async () => {
    const { fake, client, tenant } = await setup();
    await fake.stop();
    expect(await resolver(client, 'unlicensed')(tenant)).toEqual({ param: 'absent', licensed: false });
  });

  it('keeps a known active license while the site is down (stale value)', async () => {
    const { fake, client, tenant } = await setup();
    const resolve = resolver(client, 'unlicensed');
    await resolve(tenant);
    await fake.stop();
    expect(await resolve(tenant)).toEqual({ param: 'active', licensed: true });
  });
});

describe('the siteAdmin policies (Jira ADMINISTER, asked of the product)', () => {
  function policies(client: ReturnType<typeof fastClient>) {
    const reads = new CachedProductReads(client, { cache: new SwrCache({ freshMs: 60_000 }), appKey: TEST_APP_KEY, renderBudgetMs: 30_000 });
    const p = builtInPolicies(() => reads);
    const req = new Request('https://app.example.com/api/x');
    const as = (policy: 'siteAdmin' | 'siteAdminNow', ck: string, accountId?: string) => Promise.resolve(p[policy]({ clientKey: ck, accountId } as RequestContext, req));
    return { as };
  }

  it('lets admins through and refuses others and anonymous users with ADMIN_REQUIRED', async () => {
    const { client, ck } = await setup();
    const { as } = policies(client);
    await expect(as('siteAdmin', ck, 'admin-1')).resolves.toBeUndefined();
    await expect(as('siteAdmin', ck, 'user-1')).rejects.toMatchObject({ code: 'ADMIN_REQUIRED', status: 403 });
    await expect(as('siteAdmin', ck, undefined)).rejects.toMatchObject({ code: 'ADMIN_REQUIRED' });
  });

  it('fails closed with PRODUCT_UNAVAILABLE when the product cannot answer', async () => {
    const { fake, client, ck } = await setup();
    await fake.stop();
    const err = await policies(client).as('siteAdmin', ck, 'admin-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ code: 'PRODUCT_UNAVAILABLE', status: 503 });
  });

  it('trusts a "yes" for a while, but siteAdminNow asks the product again (a demoted admin cannot delete)', async () => {
    const { fake, client, ck } = await setup();
    const { as } = policies(client);
    await as('siteAdmin', ck, 'admin-1');
    const asked = () => fake.requests.filter((r) => r.path === '/rest/api/3/permissions/check').length;
    const before = asked();
    await as('siteAdmin', ck, 'admin-1');
    expect(asked()).toBe(before);
    fake.admins.delete('admin-1');
    await expect(as('siteAdmin', ck, 'admin-1')).resolves.toBeUndefined();
    await expect(as('siteAdminNow', ck, 'admin-1')).rejects.toMatchObject({ code: 'ADMIN_REQUIRED' });
    expect(asked()).toBe(before + 1);
    await expect(as('siteAdmin', ck, 'admin-1')).rejects.toMatchObject({ code: 'ADMIN_REQUIRED' });
  });
});
