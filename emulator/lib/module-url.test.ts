import { decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { computeQsh } from 'atlassian-connect-next';
import { contextParams, contextVariables, fillUrlTemplate, moduleUrl, signedModuleUrl, type ContextParamInput } from './module-url';
import { productQsh } from './qsh';

const params = (over: Partial<ContextParamInput> = {}): ContextParamInput => ({
  siteBaseUrl: 'http://localhost:4100',
  appKey: 'com.example.app',
  moduleKey: 'panel',
  license: 'active',
  licensing: true,
  locale: 'de-DE',
  timeZone: 'Europe/Berlin',
  ...over,
});

describe('module URL templates', () => {
  it('fills the issue and project variables, URL-encoded', () => {
    const vars = contextVariables({ issue: { id: '10001', key: 'DEMO-1', typeId: '3' }, project: { id: '10000', key: 'DEMO' } });
    expect(fillUrlTemplate('/p?k={issue.key}&i={issue.id}&pk={project.key}&pi={project.id}&t={issuetype.id}', vars)).toBe(
      '/p?k=DEMO-1&i=10001&pk=DEMO&pi=10000&t=3',
    );
    expect(fillUrlTemplate('/p?x={custom.v}', { 'custom.v': 'a b&c=d' })).toBe('/p?x=a%20b%26c%3Dd');
  });

  it('leaves unknown variables empty, like the product', () => {
    expect(fillUrlTemplate('/general?issueKey={issue.key}', {})).toBe('/general?issueKey=');
  });
});

describe('context parameters', () => {
  const names = (p: [string, string][]) => p.map(([k]) => k);
  const get = (p: [string, string][], k: string) => p.find(([n]) => n === k)?.[1];

  it('appends xdm_e, xdm_c, cp, lic, cv, loc and tz', () => {
    const p = contextParams(params());
    expect(names(p)).toEqual(['xdm_e', 'xdm_c', 'cp', 'xdm_deprecated_addon_key_do_not_use', 'lic', 'cv', 'loc', 'tz']);
    expect(get(p, 'xdm_e')).toBe('http://localhost:4100');
    expect(get(p, 'xdm_c')).toBe('channel-com.example.app__panel');
    expect(get(p, 'cp')).toBe('');
    expect(get(p, 'loc')).toBe('de-DE');
    expect(get(p, 'tz')).toBe('Europe/Berlin');
  });

  it('uses the site path as context path (Confluence)', () => {
    const p = contextParams(params({ siteBaseUrl: 'http://localhost:4100/wiki' }));
    expect(get(p, 'xdm_e')).toBe('http://localhost:4100');
    expect(get(p, 'cp')).toBe('/wiki');
  });

  it('maps the license switcher to lic', () => {
    expect(get(contextParams(params({ license: 'active' })), 'lic')).toBe('active');
    expect(get(contextParams(params({ license: 'evaluation' })), 'lic')).toBe('active');
    expect(get(contextParams(params({ license: 'none' })), 'lic')).toBe('none');
    expect(names(contextParams(params({ license: 'absent' })))).not.toContain('lic');
    // An app without licensing never gets lic.
    expect(names(contextParams(params({ licensing: false })))).not.toContain('lic');
  });
});

describe('signed iframe URLs', () => {
  const secret = 'a-shared-secret-that-is-long-enough-for-hs256';
  const input = (appBaseUrl: string, accountId?: string) => ({
    appBaseUrl,
    template: '/panel/issue?issueKey={issue.key}&issueId={issue.id}&note={extra.note}',
    context: { issue: { id: '10001', key: 'DEMO-1' }, extra: { 'extra.note': "a b+c*d~e!'()ü" } },
    params: params({ siteBaseUrl: 'http://localhost:4100' }),
    clientKey: 'client-1',
    sharedSecret: secret,
    accountId,
    ttlSeconds: 180,
  });

  it('ends with a page JWT whose qsh covers exactly the URL relative to the app baseUrl', async () => {
    for (const base of ['http://localhost:4200', 'http://localhost:4200/connect-app']) {
      const url = new URL(await signedModuleUrl(input(base, 'acc-1')));
      expect([...url.searchParams.keys()].at(-1)).toBe('jwt');
      expect(url.pathname).toBe(`${new URL(base).pathname.replace(/\/$/, '')}/panel/issue`);
      const jwt = url.searchParams.get('jwt')!;
      const { payload } = await jwtVerify(jwt, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
      expect(payload).toMatchObject({ iss: 'client-1', sub: 'acc-1' });
      expect(payload.exp! - payload.iat!).toBe(180);
      // atlassian-jwt (the emulator) and lib/connect/qsh.ts (the app) agree on tricky values.
      expect(payload.qsh).toBe(productQsh('GET', url.toString(), base));
      expect(payload.qsh).toBe(computeQsh('GET', url, base));
      // Any change to a signed parameter gives another qsh.
      const changed = new URL(url);
      changed.searchParams.set('lic', 'none');
      expect(computeQsh('GET', changed, base)).not.toBe(payload.qsh);
    }
  });

  it('signs anonymous viewers without sub', async () => {
    const url = new URL(await signedModuleUrl(input('http://localhost:4200')));
    expect(decodeJwt(url.searchParams.get('jwt')!).sub).toBeUndefined();
  });

  it('keeps the template query before the context parameters', () => {
    const url = moduleUrl('http://localhost:4200/', '/general?a=1', {}, contextParams(params()));
    expect(url.toString().startsWith('http://localhost:4200/general?a=1&xdm_e=')).toBe(true);
  });
});
