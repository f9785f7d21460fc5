import { describe, expect, it } from 'vitest';
import { createRouter } from './router';

const router = createRouter([
  { method: 'GET', path: '/api/checklists/[issueId]', handler: 'read' },
  { method: 'PATCH', path: '/api/checklists/[issueId]/items/[itemId]', handler: 'update' },
  { method: 'GET', path: '/atlassian-connect.json', handler: 'descriptor' },
  { method: 'POST', path: '/lifecycle/[event]', handler: 'lifecycle' },
]);

describe('the app server router', () => {
  it('matches static segments exactly and hands dynamic ones over decoded', () => {
    expect(router.match('GET', '/atlassian-connect.json')).toEqual({ handler: 'descriptor', params: {} });
    expect(router.match('PATCH', '/api/checklists/10001/items/a%20b')).toEqual({ handler: 'update', params: { issueId: '10001', itemId: 'a b' } });
    expect(router.match('post', '/lifecycle/installed')).toEqual({ handler: 'lifecycle', params: { event: 'installed' } });
  });

  it('answers HEAD with the GET route and nothing else with another method', () => {
    expect(router.match('HEAD', '/api/checklists/1')?.handler).toBe('read');
    expect(router.match('POST', '/api/checklists/1')).toBeUndefined();
    expect(router.match('GET', '/lifecycle/installed')).toBeUndefined();
  });

  it('leaves to Next what is not exactly a route: other paths, empty segments, trailing slashes, bad escapes', () => {
    for (const p of ['/', '/api/checklists', '/api/checklists/1/x', '/api//checklists/1', '/api/checklists/', '/api/checklists/1/', '//atlassian-connect.json', 'atlassian-connect.json', '/api/checklists/%E0%A4%A'])
      expect(router.match('GET', p), p).toBeUndefined();
  });
});
