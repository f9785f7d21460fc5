import { describe, expect, it } from 'vitest';
import * as atlassianJwt from 'atlassian-jwt';
import { canonicalRequest, computeQsh, encodeRfc3986 } from './qsh';

/** atlassian-jwt (Atlassian's own library) is the oracle for every case it agrees on. */
function oracle(method: string, url: string, baseUrl?: string): { canonical: string; qsh: string } {
  const req = atlassianJwt.fromMethodAndUrl(method, url);
  return {
    canonical: atlassianJwt.createCanonicalRequest(req, false, baseUrl ?? ''),
    qsh: atlassianJwt.createQueryStringHash(req, false, baseUrl ?? ''),
  };
}

const cases: [string, string, string?][] = [
  ['GET', '/path/to/service?zee_last=param&repeated=parameter%202&first=param&repeated=parameter%201'],
  ['GET', '/'],
  ['GET', ''],
  ['POST', '/lifecycle/installed'],
  ['get', '/lower/case/method?a=b'],
  ['GET', '/trailing/slash/?a=1'],
  ['GET', '/path?jwt=ABC.DEF.GHI&b=2&a=1'],
  ['GET', '/path?q=hello%20world&star=*&tilde=~&bang=!'],
  ['GET', '/a&b/c?x=y'],
  ['GET', '/panel?issueKey=ABC-1&issueId=10001&xdm_e=https%3A%2F%2Fexample.atlassian.net&cp=&cv=1001.0.0&lic=active&loc=de-DE&tz=Europe%2FBerlin'],
  ['GET', '/ctx/panel?a=1', 'https://app.example.com/ctx'],
  ['GET', '/ctx?a=1', 'https://app.example.com/ctx'],
  ['GET', '/rest/api/3/search?jql=project%20%3D%20ABC%20AND%20status%20!%3D%20Done&maxResults=50'],
  ['GET', '/p?empty=&k=v'],
  ['GET', '/p?plus=a+b'],
  ['GET', '/p?unicode=%C3%A9t%C3%A9&emoji=%F0%9F%98%80'],
  ['PUT', '/p?a=3&a=1&a=2'],
];

describe('computeQsh agrees with atlassian-jwt', () => {
  it.each(cases)('%s %s (base %s)', (method, url, base) => {
    const o = oracle(method, url || '/', base);
    const full = new URL(url || '/', base ?? 'https://app.example.com');
    expect(canonicalRequest(method, full, base)).toBe(o.canonical);
    expect(computeQsh(method, full, base)).toBe(o.qsh);
  });
});

describe('canonical request details', () => {
  it('matches the documented example', () => {
    expect(
      canonicalRequest('GET', 'https://x.example/path/to/service?zee_last=param&repeated=parameter%201&first=param&repeated=parameter%202'),
    ).toBe('GET&/path/to/service&first=param&repeated=parameter%201,parameter%202&zee_last=param');
  });

  it('encodes like RFC 3986: space %20, * %2A, ~ kept', () => {
    expect(encodeRfc3986("a b*~!'()")).toBe('a%20b%2A~%21%27%28%29');
  });

  it('strips only a whole context-path segment', () => {
    // "/ctxother" must not be treated as inside "/ctx"
    expect(canonicalRequest('GET', 'https://a.example/ctxother?a=1', 'https://a.example/ctx')).toBe('GET&/ctxother&a=1');
  });

  it('ignores the host: the qsh depends only on method, path relative to base, and query', () => {
    expect(computeQsh('GET', 'https://evil.example/p?a=1')).toBe(computeQsh('GET', 'http://localhost:3000/p?a=1'));
  });

  it('differs when the method, path or any parameter differs', () => {
    const base = computeQsh('GET', '/p?a=1');
    expect(computeQsh('POST', '/p?a=1')).not.toBe(base);
    expect(computeQsh('GET', '/q?a=1')).not.toBe(base);
    expect(computeQsh('GET', '/p?a=2')).not.toBe(base);
    expect(computeQsh('GET', '/p?a=1&lic=active')).not.toBe(base);
  });

  it('an & in the path cannot fake a query separator', () => {
    expect(computeQsh('GET', '/p&a=1')).not.toBe(computeQsh('GET', '/p?a=1'));
  });
});
