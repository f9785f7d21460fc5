import { describe, expect, it } from 'vitest';
import { signSymmetricToken } from './testing';
import { authenticateApi } from './auth';
import { createTestRuntime } from './testing';

/** authenticateApi against an in-memory tenant store with a controllable clock. */
function setup() {
  let now = new Date();
  const rt = createTestRuntime({ now: () => now });
  const store = rt.store;
  const install = (secret: string) =>
    store.upsertInstall({ clientKey: 'ck', appKey: 'app', sharedSecret: secret, baseUrl: 'https://a.atlassian.net', productType: 'jira' }, now);
  const call = (token: string) => authenticateApi(rt, new Request('https://app.example.com/api/x', { headers: { authorization: `JWT ${token}` } }));
  return { rt, store, install, call, setNow: (d: Date) => (now = d) };
}

describe('a context JWT reused for several API calls', () => {
  it('is accepted again, and carries its context claim as the scope', async () => {
    const { install, call } = setup();
    await install('s1');
    const token = await signSymmetricToken({ sharedSecret: 's1', issuer: 'ck', qsh: 'context-qsh', accountId: 'u', claims: { context: { jira: { issue: { id: '10001', key: 'A-1' } } } } });
    for (let i = 0; i < 3; i++) expect(await call(token)).toMatchObject({ accountId: 'u', tokenKind: 'context', scope: { issueId: '10001', issueKey: 'A-1' } });
  });

  it('is refused once it expires, even after being accepted', async () => {
    const { install, call, setNow } = setup();
    await install('s1');
    const token = await signSymmetricToken({ sharedSecret: 's1', issuer: 'ck', qsh: 'context-qsh', ttlSeconds: 60 });
    await call(token);
    setNow(new Date(Date.now() + 66_000));
    await expect(call(token)).rejects.toMatchObject({ code: 'JWT_EXPIRED' });
  });

  it('is refused after the secret rotates or the tenant uninstalls', async () => {
    const a = setup();
    await a.install('s1');
    const token = await signSymmetricToken({ sharedSecret: 's1', issuer: 'ck', qsh: 'context-qsh' });
    await a.call(token);
    await a.install('s2');
    a.rt.tenants.invalidate('ck');
    await expect(a.call(token)).rejects.toMatchObject({ code: 'JWT_SIGNATURE' });

    const b = setup();
    await b.install('s1');
    const t2 = await signSymmetricToken({ sharedSecret: 's1', issuer: 'ck', qsh: 'context-qsh', accountId: 'other' });
    await b.call(t2);
    await b.store.markUninstalled('ck', new Date());
    b.rt.tenants.invalidate('ck');
    await expect(b.call(t2)).rejects.toMatchObject({ code: 'TENANT_UNINSTALLED' });
  });
});
