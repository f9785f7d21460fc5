import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProductAuthError, verifyAppRequest, type Principal } from '../lib/app-auth';
import { findIssue } from '../lib/directory';
import type { Emulator } from '../lib/emulator';
import { injectFault } from '../lib/faults';
import { readBody, sendJson, send } from '../lib/http';
import { admitAppCall } from '../lib/rate-limits/gate';
import type { Site } from '../lib/state';
import { MAX_VALUE_CHARS, PropertyStore, searchIssues, JqlError } from './properties';

/**
 * The product REST endpoints of issue properties and JQL search, answered like Jira Cloud, with
 * the emulator's faults, the app's JWT or bearer token checked, and the descriptor's scopes
 * enforced (PUT needs WRITE, DELETE needs DELETE):
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-properties/
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ (search/jql)
 */

const PROPS = /^\/rest\/api\/[23]\/issue\/([^/]+)\/properties(?:\/([^/]+))?$/;
const SEARCH = /^\/rest\/api\/[23]\/search\/jql$/;

export function isIssuesRestPath(rel: string): boolean {
  return PROPS.test(rel) || SEARCH.test(rel);
}

const jiraError = (status: number, message: string) => ({ status, body: { errorMessages: [message], errors: {} } });

function scopesOf(caller: Principal, site: Site): string[] {
  return caller.kind === 'user' && caller.via === 'bearer' ? caller.scopes : (site.descriptor?.scopes ?? []).map((s) => s.toUpperCase());
}

export async function handleIssuesRest(emu: Emulator, store: PropertyStore, req: IncomingMessage, res: ServerResponse, url: URL, site: Site, rel: string): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const record = { at: new Date().toISOString(), method, path: rel + url.search, auth: 'none' as const };
  if (url.host !== new URL(site.baseUrl).host) {
    emu.restLog.push({ ...record, status: 404, error: 'wrong host for this site' });
    return sendJson(res, 404, jiraError(404, `This site is now at ${site.baseUrl}`).body);
  }
  const fault = await injectFault(emu.faults, rel, res, emu.now());
  if (fault) return void emu.restLog.push({ ...record, status: fault === 'refuse' ? 0 : Number(fault), fault });
  const authorization = req.headers.authorization;
  const auth = /^bearer\s/i.test(authorization ?? '') ? 'bearer' : /^jwt\s/i.test(authorization ?? '') ? 'jwt' : 'none';
  let caller: Principal;
  try {
    caller = await verifyAppRequest({ method, url, authorization, site, tokens: emu.tokens, leewaySeconds: emu.settings.leewaySeconds });
  } catch (err) {
    if (!(err instanceof ProductAuthError)) throw err;
    emu.restLog.push({ ...record, auth, status: 401, error: `${err.code}: ${err.message}` });
    return sendJson(res, 401, { errorMessages: [err.message], errors: {}, code: err.code }, { 'www-authenticate': 'JWT realm="Atlassian"' });
  }
  const gate = admitAppCall(emu.rateLimits, site, method, rel, res);
  if ('refused' in gate) return void emu.restLog.push({ ...record, auth, status: 429, error: `rate limited: ${gate.refused}` });
  const raw = method === 'PUT' || method === 'POST' ? await readBody(req, 256 * 1024) : '';
  const out = answer(store, site, caller, method, rel, url, raw);
  emu.restLog.push({ ...record, auth, accountId: caller.kind === 'user' ? caller.accountId : undefined, status: out.status });
  const headers = gate.settle(out.status, out.body);
  if (out.body === undefined) return send(res, out.status, '', headers);
  sendJson(res, out.status, out.body, headers);
}

function answer(store: PropertyStore, site: Site, caller: Principal, method: string, rel: string, url: URL, raw: string): { status: number; body?: unknown } {
  const scopes = scopesOf(caller, site);
  const needs = (scope: string) => (scopes.includes(scope) || scopes.includes('ADMIN') ? undefined : jiraError(403, `The app is not allowed to do this (scope ${scope} required).`));
  if (site.product !== 'jira') return jiraError(404, `No emulated endpoint for ${method} ${rel}`);

  if (SEARCH.test(rel)) {
    if (method !== 'GET' && method !== 'POST') return jiraError(405, 'Method not allowed');
    let jql = url.searchParams.get('jql') ?? '';
    if (method === 'POST') {
      try {
        jql = String((JSON.parse(raw || '{}') as { jql?: unknown }).jql ?? '');
      } catch {
        return jiraError(400, 'Request body is not valid JSON.');
      }
    }
    const denied = needs('READ');
    if (denied) return denied;
    try {
      const r = searchIssues(store, site.clientKey, site.descriptor, jql);
      return { status: 200, body: { issues: r.issues.map((i) => ({ id: i.id, key: i.key, self: `${site.baseUrl}/rest/api/3/issue/${i.id}`, fields: { project: { key: i.projectKey } } })), isLast: true } };
    } catch (err) {
      if (err instanceof JqlError) return jiraError(400, err.message);
      throw err;
    }
  }

  const m = PROPS.exec(rel)!;
  const issue = findIssue(decodeURIComponent(m[1]!));
  const key = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  const scope = method === 'GET' ? 'READ' : method === 'PUT' ? 'WRITE' : method === 'DELETE' ? 'DELETE' : undefined;
  if (!scope || (key === undefined && method !== 'GET')) return jiraError(405, 'Method not allowed');
  const denied = needs(scope);
  if (denied) return denied;
  if (!issue) return jiraError(404, 'Issue does not exist or you do not have permission to see it.');
  if (key === undefined) {
    return { status: 200, body: { keys: store.keys(site.clientKey, issue.id).map((k) => ({ key: k, self: `${site.baseUrl}/rest/api/3/issue/${issue.id}/properties/${encodeURIComponent(k)}` })) } };
  }
  if (key.length > 255) return jiraError(400, 'The property key cannot be longer than 255 characters.');
  if (method === 'GET') {
    const value = store.get(site.clientKey, issue.id, key);
    return value === undefined ? jiraError(404, `The property with key '${key}' does not exist.`) : { status: 200, body: { key, value } };
  }
  if (method === 'DELETE') {
    return store.delete(site.clientKey, issue.id, key) ? { status: 204 } : jiraError(404, `The property with key '${key}' does not exist.`);
  }
  if (!raw) return jiraError(400, 'The property value cannot be empty.');
  if (raw.length > MAX_VALUE_CHARS) return jiraError(400, `The property value cannot be longer than ${MAX_VALUE_CHARS} characters.`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return jiraError(400, 'The property value must be a valid JSON.');
  }
  const existed = store.set(site.clientKey, issue.id, key, value);
  return { status: existed ? 200 : 201 };
}

