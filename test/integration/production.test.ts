import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { startApp, type AppServer } from '../../scripts/stack';
import { databaseOptions } from '../support/database';
import { contextToken, FakeKeys, newSite, pageUrl } from '../support/product';

describe('production mode', () => {
  let app: AppServer;
  let keys: FakeKeys;
  const publicUrl = 'https://connect-app.example.com';

  beforeAll(async () => {
    keys = new FakeKeys();
    const cdn = await keys.start();
    app = await startApp({
      ...(await databaseOptions()),
      env: { APP_ENV: 'production', APP_BASE_URL: publicUrl, TRUST_PROXY: 'true', CONNECT_KEYS_CDN_URL: cdn, TENANT_SECRET_KEY: Buffer.alloc(32, 3).toString('base64') },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await keys?.stop();
  });

  it('serves a descriptor with an https baseUrl and the Connect settings', async () => {
    const d = await (await fetch(`${app.url}/atlassian-connect.json`)).json();
    expect(d.baseUrl).toBe(publicUrl);
    expect(d.authentication).toEqual({ type: 'jwt' });
    expect(d.enableLicensing).toBe(true);
    expect(d.apiMigrations).toEqual({ 'signed-install': true, 'context-qsh': true, gdpr: true });
    expect(d.lifecycle).toEqual({ installed: '/lifecycle/installed', uninstalled: '/lifecycle/uninstalled', enabled: '/lifecycle/enabled', disabled: '/lifecycle/disabled' });
    // WRITE: the checklist issue property, nothing else (README: "Searching checklists with JQL").
    expect(d.scopes).toEqual(['READ', 'WRITE']);
    expect(d.modules.webhooks).toEqual([
      { event: 'jira:issue_deleted', url: '/webhooks/issue-deleted?issueId=${issue.id}', excludeBody: true },
      { event: 'jira:issue_updated', url: '/webhooks/issue-updated' },
    ]);
    expect(d.modules.jiraEntityProperties[0].keyConfigurations[0].extractions.map((x: { alias: string }) => x.alias)).toEqual([
      'checklistTotal',
      'checklistDone',
      'checklistRemaining',
      'checklistComplete',
    ]);
  });

  it('refuses a request that did not arrive over https, accepts one the trusted proxy marks https', async () => {
    const site = newSite();
    // Plain http is refused before anything else, lifecycle callbacks included; over https an
    // unsigned install is a 401.
    const plain = await fetch(`${app.url}/lifecycle/installed`, { method: 'POST' });
    expect(plain.status).toBe(403);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('HTTPS_REQUIRED');
    const unsigned = await fetch(`${app.url}/lifecycle/installed`, { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
    expect(unsigned.status).toBe(401);
    // lifecycle through the proxy (https)
    const { signInstallToken, lifecyclePayload } = await import('atlassian-connect-next/testing');
    const token = await signInstallToken({ pair: keys.pair, clientKey: site.clientKey, appBaseUrl: publicUrl, url: `${publicUrl}/lifecycle/installed` });
    const body = JSON.stringify(lifecyclePayload({ appKey: 'com.example.connect-checklists', clientKey: site.clientKey, baseUrl: site.baseUrl, eventType: 'installed', sharedSecret: site.sharedSecret, cloudId: site.cloudId }));
    const ok = await fetch(`${app.url}/lifecycle/installed`, { method: 'POST', headers: { authorization: `JWT ${token}`, 'x-forwarded-proto': 'https' }, body });
    expect(ok.status).toBe(204);

    const signed = new URL(await pageUrl(publicUrl, site, '/general', { accountId: 'a' }));
    const direct = await fetch(`${app.url}${signed.pathname}${signed.search}`);
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { error: { code: string } }).error.code).toBe('HTTPS_REQUIRED');
    const viaProxy = await fetch(`${app.url}${signed.pathname}${signed.search}`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.headers.get('strict-transport-security')).toContain('max-age=');

    const api = await fetch(`${app.url}/api/context`, { headers: { authorization: `JWT ${await contextToken(site, 'a')}` } });
    expect(api.status).toBe(403);
    // absent lic in production is unlicensed by default
    const api2 = await fetch(`${app.url}/api/context`, { headers: { authorization: `JWT ${await contextToken(site, 'a')}`, 'x-forwarded-proto': 'https' } });
    expect((await api2.json()).license).toEqual({ param: 'absent', licensed: false });
  });

  it('refuses to start with a non-https APP_BASE_URL, naming the variable', () => {
    const r = spawnSync('node', ['-e', "require('tsx/cjs'); const {parseEnv}=require('./lib/env.ts'); parseEnv({APP_ENV:'production', APP_BASE_URL:'http://x.example'})"], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('APP_BASE_URL');
  });
});
