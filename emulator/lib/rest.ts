import { ISSUES, PROJECTS, USERS, findIssue, projectOf, userByAccountId, type EmuUser } from './directory';
import type { Principal } from './app-auth';
import type { LicenseChoice, Site } from './state';

/**
 * The product REST endpoints the app calls, answering with Jira Cloud's shapes (trimmed to the
 * fields an app reads) and Jira's error body `{ errorMessages, errors }`.
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/
 */

export type Caller = Principal | { kind: 'anonymous' };

export interface RestRequest {
  method: string;
  /** Path relative to the site's baseUrl, e.g. `/rest/api/3/myself`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  caller: Caller;
  site: Site;
  license: LicenseChoice;
}

export interface RestResponse {
  status: number;
  body: unknown;
}

const jiraError = (status: number, message: string): RestResponse => ({ status, body: { errorMessages: [message], errors: {} } });

export function userJson(site: Site, u: EmuUser, full = false): Record<string, unknown> {
  return {
    self: `${site.baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(u.accountId)}`,
    accountId: u.accountId,
    accountType: 'atlassian',
    displayName: u.displayName,
    active: true,
    timeZone: u.timeZone,
    avatarUrls: { '48x48': `${site.baseUrl}/_emu/static/avatar.svg?u=${u.key}` },
    ...(full ? { emailAddress: u.emailAddress, locale: 'en_US' } : {}),
  };
}

function appUserJson(site: Site): Record<string, unknown> {
  return {
    accountId: `557058:app-${site.descriptor?.key ?? 'app'}`,
    accountType: 'app',
    displayName: site.descriptor?.name ?? 'App',
    active: true,
  };
}

function issueJson(site: Site, idOrKey: string, fieldsParam: string | null): RestResponse {
  const issue = findIssue(idOrKey);
  if (!issue) return jiraError(404, 'Issue does not exist or you do not have permission to see it.');
  const project = projectOf(issue);
  const user = (k?: string) => (k ? userJson(site, USERS.find((u) => u.key === k)!) : null);
  const all: Record<string, unknown> = {
    summary: issue.summary,
    status: { name: issue.status, id: issue.status === 'To Do' ? '10000' : '3' },
    issuetype: { id: issue.type.id, name: issue.type.name },
    project: { id: project.id, key: project.key, name: project.name, self: `${site.baseUrl}/rest/api/3/project/${project.id}` },
    assignee: user(issue.assignee),
    reporter: user(issue.reporter),
    description: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: issue.description }] }] },
    created: '2026-11-02T09:15:00.000+0000',
    updated: '2026-11-20T16:40:00.000+0000',
  };
  const wanted = fieldsParam?.split(',').map((f) => f.trim()).filter((f) => f && f !== '*all' && f !== '*navigable');
  const fields = wanted?.length ? Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k))) : all;
  return { status: 200, body: { id: issue.id, key: issue.key, self: `${site.baseUrl}/rest/api/3/issue/${issue.id}`, fields } };
}

function licenseJson(choice: LicenseChoice, site: Site): Record<string, unknown> | undefined {
  if (choice === 'absent') return undefined;
  return {
    active: choice !== 'none',
    type: 'COMMERCIAL',
    evaluation: choice === 'evaluation',
    supportEntitlementNumber: `SEN-${site.cloudId.slice(0, 8)}`,
    entitlementId: `ent-${site.cloudId.slice(0, 8)}`,
    entitlementNumber: `E-${site.cloudId.slice(0, 6).toUpperCase()}`,
    billingPeriod: 'MONTHLY',
    maximumNumberOfUsers: 10,
  };
}

interface PermissionCheckBody {
  globalPermissions?: unknown;
  accountId?: unknown;
  projectPermissions?: unknown;
}

function globalPermissionsOf(u: EmuUser | undefined): string[] {
  if (!u) return [];
  return u.siteAdmin ? ['ADMINISTER', 'USER_PICKER', 'CREATE_SHARED_OBJECTS'] : ['USER_PICKER', 'CREATE_SHARED_OBJECTS'];
}

function permissionsCheck(req: RestRequest): RestResponse {
  const body = (req.body ?? {}) as PermissionCheckBody;
  let subject: EmuUser | undefined;
  if (typeof body.accountId === 'string') {
    subject = userByAccountId(body.accountId);
    if (!subject) return jiraError(404, 'Specified user does not exist or you do not have required permissions');
  } else if (req.caller.kind === 'user') {
    subject = userByAccountId(req.caller.accountId);
  }
  const asked = Array.isArray(body.globalPermissions) ? body.globalPermissions.filter((p): p is string => typeof p === 'string') : [];
  const has = globalPermissionsOf(subject);
  const projectPermissions = Array.isArray(body.projectPermissions)
    ? (body.projectPermissions as { permissions?: string[]; issues?: number[]; projects?: number[] }[]).flatMap((pp) =>
        (pp.permissions ?? []).map((permission) => ({
          permission,
          issues: subject ? (pp.issues ?? []) : [],
          projects: subject ? (pp.projects ?? []) : [],
        })),
      )
    : [];
  return { status: 200, body: { globalPermissions: asked.filter((p) => has.includes(p)), projectPermissions } };
}

function callerUser(req: RestRequest): EmuUser | undefined {
  return req.caller.kind === 'user' ? userByAccountId(req.caller.accountId) : undefined;
}

/** Routes one REST call. The caller is already authenticated (or anonymous). */
export function productRest(req: RestRequest): RestResponse {
  const { method, path, query, site, caller } = req;
  if (caller.kind === 'anonymous') return jiraError(401, 'You are not authenticated. Authentication required to perform this operation.');
  const scopes = caller.kind === 'user' && caller.via === 'bearer' ? caller.scopes : (site.descriptor?.scopes ?? []).map((s) => s.toUpperCase());
  const needs = (scope: string) => (scopes.includes(scope) || scopes.includes('ADMIN') ? undefined : jiraError(403, `The app is not allowed to do this (scope ${scope} required).`));
  const isGet = method === 'GET';
  let m: RegExpExecArray | null;

  if ((m = /^\/rest\/atlassian-connect\/1\/addons\/([^/]+)$/.exec(path)) && isGet) {
    const key = decodeURIComponent(m[1]!);
    if (key !== site.descriptor?.key) return jiraError(404, `App ${key} not found`);
    const license = licenseJson(req.license, site);
    return {
      status: 200,
      body: {
        key,
        version: '1.0.0',
        state: site.enabled ? 'ENABLED' : 'DISABLED',
        host: { product: site.product === 'jira' ? 'Jira' : 'Confluence', contacts: [{ name: 'Alana Admin', email: 'alana.admin@example.com' }] },
        ...(license ? { license } : {}),
        links: { self: [{ href: `${site.baseUrl}/rest/atlassian-connect/1/addons/${key}` }] },
      },
    };
  }
  if (site.product === 'confluence') return confluenceRest(req, needs);

  if ((m = /^\/rest\/api\/[23]\/issue\/([^/]+)$/.exec(path)) && isGet) {
    return needs('READ') ?? issueJson(site, decodeURIComponent(m[1]!), query.get('fields'));
  }
  if (path.match(/^\/rest\/api\/[23]\/myself$/) && isGet) {
    const u = callerUser(req);
    return needs('READ') ?? { status: 200, body: u ? userJson(site, u, true) : appUserJson(site) };
  }
  if (path.match(/^\/rest\/api\/[23]\/user$/) && isGet) {
    const id = query.get('accountId');
    if (!id) return jiraError(400, 'The query parameter accountId is required.');
    const u = userByAccountId(id);
    return needs('READ') ?? (u ? { status: 200, body: userJson(site, u) } : jiraError(404, 'Specified user does not exist or you do not have required permissions'));
  }
  if (path.match(/^\/rest\/api\/[23]\/user\/bulk$/) && isGet) {
    const values = query.getAll('accountId').map(userByAccountId).filter((u): u is EmuUser => !!u).map((u) => userJson(site, u));
    return needs('READ') ?? { status: 200, body: { startAt: 0, maxResults: values.length, total: values.length, isLast: true, values } };
  }
  if (path.match(/^\/rest\/api\/[23]\/permissions\/check$/) && method === 'POST') {
    return needs('READ') ?? permissionsCheck(req);
  }
  if (path.match(/^\/rest\/api\/[23]\/mypermissions$/) && isGet) {
    const has = globalPermissionsOf(callerUser(req));
    const asked = (query.get('permissions') ?? '').split(',').filter(Boolean);
    const permissions = Object.fromEntries(asked.map((p) => [p, { key: p, type: 'GLOBAL', havePermission: has.includes(p) }]));
    return needs('READ') ?? { status: 200, body: { permissions } };
  }
  if (path.match(/^\/rest\/api\/[23]\/project\/search$/) && isGet) {
    const values = PROJECTS.map((p) => ({ id: p.id, key: p.key, name: p.name, self: `${site.baseUrl}/rest/api/3/project/${p.id}` }));
    return needs('READ') ?? { status: 200, body: { startAt: 0, maxResults: 50, total: values.length, isLast: true, values } };
  }
  if (path.match(/^\/rest\/api\/[23]\/search$/) && isGet) {
    const issues = ISSUES.map((i) => (issueJson(site, i.key, query.get('fields')).body as object));
    return needs('READ') ?? { status: 200, body: { startAt: 0, maxResults: 50, total: issues.length, issues } };
  }
  return jiraError(404, `No emulated endpoint for ${method} ${path}`);
}

function confluenceRest(req: RestRequest, needs: (scope: string) => RestResponse | undefined): RestResponse {
  const { path, query, site } = req;
  const conf = (u: EmuUser) => ({ type: 'known', accountId: u.accountId, accountType: 'atlassian', displayName: u.displayName, publicName: u.displayName, timeZone: u.timeZone });
  if (path === '/rest/api/user/current' && req.method === 'GET') {
    const u = callerUser(req);
    return needs('READ') ?? { status: 200, body: u ? conf(u) : { type: 'app', accountId: `557058:app-${site.descriptor?.key}`, displayName: site.descriptor?.name } };
  }
  if (path === '/rest/api/user' && req.method === 'GET') {
    const u = userByAccountId(query.get('accountId') ?? undefined);
    return needs('READ') ?? (u ? { status: 200, body: conf(u) } : { status: 404, body: { statusCode: 404, message: 'user not found' } });
  }
  return { status: 404, body: { statusCode: 404, message: `No emulated endpoint for ${req.method} ${path}` } };
}
