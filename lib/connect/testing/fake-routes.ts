import type { ServerResponse } from 'node:http';
import type { Caller, FakeProduct } from './fake-product';

/** The REST resources the fake product serves (a few Jira/Connect endpoints and an echo). */
export function routeRequest(
  fake: FakeProduct,
  method: string,
  path: string,
  q: URLSearchParams,
  body: string,
  who: Caller,
  res: ServerResponse,
): void {
  const user = (id: string) => {
    const u = fake.users.get(id);
    return u ? { accountId: id, displayName: u.displayName, active: true, accountType: 'atlassian', timeZone: u.timeZone } : undefined;
  };
  let m: RegExpExecArray | null;
  if (method === 'GET' && (m = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(path))) {
    const id = decodeURIComponent(m[1]!);
    const issue = fake.issues.get(id) ?? [...fake.issues.values()].find((i) => i.key === id);
    return issue ? json(res, 200, { id: issue.id, key: issue.key, fields: { summary: issue.summary } }) : json(res, 404, { errorMessages: ['Issue does not exist'] });
  }
  if (method === 'GET' && path === '/rest/api/3/myself') {
    const u = who.accountId ? user(who.accountId) : undefined;
    return u ? json(res, 200, u) : json(res, 401, { errorMessages: ['not a user'] });
  }
  if (method === 'GET' && (path === '/rest/api/3/user' || path === '/rest/api/user')) {
    const u = user(q.get('accountId') ?? '');
    return u ? json(res, 200, u) : json(res, 404, { errorMessages: ['no such user'] });
  }
  if (method === 'POST' && path === '/rest/api/3/permissions/check') {
    const req = JSON.parse(body || '{}') as { accountId?: string; globalPermissions?: string[] };
    const granted = (req.globalPermissions ?? []).filter((p) => p === 'ADMINISTER' && fake.admins.has(req.accountId ?? ''));
    return json(res, 200, { globalPermissions: granted, projectPermissions: [] });
  }
  if (method === 'GET' && (m = /^\/rest\/atlassian-connect\/1\/addons\/([^/]+)$/.exec(path))) {
    if (decodeURIComponent(m[1]!) !== who.site.appKey) return json(res, 404, { message: 'no such app' });
    const license = fake.licenseOf(who.site);
    return json(res, 200, { key: who.site.appKey, version: '1.0.0', state: 'ENABLED', ...(license ? { license } : {}) });
  }
  if (path.startsWith('/rest/test/echo')) {
    return json(res, 200, { method, path, query: Object.fromEntries(q), body: body || null, auth: who.kind, site: who.site.clientKey, accountId: who.accountId ?? null });
  }
  return json(res, 404, { errorMessages: ['not found'] });
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
