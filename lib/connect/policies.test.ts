import { describe, expect, it } from 'vitest';
import type { RequestContext } from './auth';
import { checkScope, checkSession } from './policies';

const ctx = (o: Partial<RequestContext>): RequestContext => ({ tokenKind: 'session', clientKey: 'ck', locale: 'en', license: { param: 'active', licensed: true }, tenant: {} as RequestContext['tenant'], ...o });
const now = new Date('2026-12-03T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('checkSession: destructive actions come from the page built for them, recently', () => {
  const rule = { modules: ['admin'], maxAgeSeconds: 600 };
  it('accepts an admin-page session within the age', () => {
    expect(() => checkSession(rule, ctx({ module: 'admin', sessionIssuedAt: ago(599) }), now)).not.toThrow();
  });
  it.each([
    ['a panel session', ctx({ module: 'panel', sessionIssuedAt: ago(1) })],
    ['a session without a module', ctx({ sessionIssuedAt: ago(1) })],
    ['a context JWT', ctx({ tokenKind: 'context' })],
    ['a page token', ctx({ tokenKind: 'page', module: 'admin' })],
    ['an admin session older than the limit', ctx({ module: 'admin', sessionIssuedAt: ago(601) })],
    ['an admin session with no issue time', ctx({ module: 'admin' })],
  ])('refuses %s with 403 SESSION_REQUIRED', (_what, c) => {
    expect(() => checkSession(rule, c, now)).toThrow(expect.objectContaining({ code: 'SESSION_REQUIRED', status: 403 }));
  });
  it('without an age limit, any admin-page session', () => {
    expect(() => checkSession({ modules: ['admin'] }, ctx({ module: 'admin', sessionIssuedAt: ago(86_400) }), now)).not.toThrow();
  });
});

describe('checkScope: the issue the token was issued on', () => {
  it('passes the same issue, refuses another (403) and a malformed id (422)', () => {
    const c = ctx({ scope: { issueId: '10001' } });
    expect(() => checkScope('issue', c, { issueId: '10001' })).not.toThrow();
    expect(() => checkScope('issue', c, { issueId: '10002' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => checkScope('issue', ctx({}), { issueId: '10001' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    for (const bad of ['abc', '1'.repeat(19), '10001\u0000', undefined]) expect(() => checkScope('issue', c, { issueId: bad })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', status: 422 }));
  });
});
