import { describe, expect, it } from 'vitest';
import { frameAncestors, isAllowedProductUrl } from './hosts';

const defaults = ['*.atlassian.net', '*.jira.com', '*.jira-dev.com'];

describe('isAllowedProductUrl', () => {
  it.each([
    ['https://acme.atlassian.net', true],
    ['https://acme.atlassian.net/wiki', true],
    ['https://x.jira-dev.com', true],
    ['https://atlassian.net', false],
    ['https://acme.atlassian.net.evil.com', false],
    ['https://evilatlassian.net', false],
    ['http://acme.atlassian.net', false],
    ['https://acme.atlassian.net:8443', false],
    ['https://user:pw@acme.atlassian.net', false],
    ['ftp://acme.atlassian.net', false],
    ['not a url', false],
    ['http://localhost:4100', false],
  ])('%s → %s with the default list', (url, ok) => {
    expect(isAllowedProductUrl(url, defaults)).toBe(ok);
  });

  it('accepts plain http only for loopback hosts named explicitly', () => {
    const list = [...defaults, 'localhost:4100'];
    expect(isAllowedProductUrl('http://localhost:4100', list)).toBe(true);
    expect(isAllowedProductUrl('http://localhost:4101', list)).toBe(false);
    expect(isAllowedProductUrl('http://127.0.0.1:4100', list)).toBe(false);
    expect(isAllowedProductUrl('http://internal.corp:4100', [...list, 'internal.corp:4100'])).toBe(false);
    expect(isAllowedProductUrl('http://localhost:4100', ['*.localhost', '*'])).toBe(false);
  });

  it('builds frame-ancestors from the patterns and the tenant origin', () => {
    expect(frameAncestors(['*.atlassian.net', 'localhost:4100'], 'https://acme.atlassian.net/wiki')).toBe(
      'frame-ancestors https://acme.atlassian.net https://*.atlassian.net http://localhost:4100',
    );
  });
});
