import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProductAuthError, verifyAppRequest, type Principal } from './app-auth';
import { handleBridge } from './bridge';
import { handleControlApi, handleControlForm } from './control-api';
import type { Emulator } from './emulator';
import { injectFault } from './faults';
import { HttpError, readBody, send, sendJson } from './http';
import { handleTokenRequest } from './oauth';
import { admitAppCall } from './rate-limits/gate';
import { productRest } from './rest';
import type { RestRecord, Site } from './state';
import { serveStatic, serveVendor } from './static';
import { handleProductPage } from '../pages/routes';

/** Dispatches one request: extensions, emulator routes, then the sites (REST and pages). */

/** The site whose baseUrl path contains this request path, and the path relative to it. */
export function siteForPath(emu: Emulator, pathname: string): { site: Site; rel: string } | undefined {
  const sites = Object.values(emu.sites).sort((a, b) => new URL(b.baseUrl).pathname.length - new URL(a.baseUrl).pathname.length);
  for (const site of sites) {
    const base = new URL(site.baseUrl).pathname.replace(/\/+$/, '');
    if (pathname === base || pathname.startsWith(`${base}/`)) return { site, rel: pathname.slice(base.length) || '/' };
  }
  return undefined;
}

export async function handleRequest(emu: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  try {
    for (const ext of emu.extensions) if (await ext.handle?.(req, res, url)) return;
    const p = url.pathname;
    // The app's AP.js (AP_JS_URL): Atlassian's iframe.js, as the Connect CDN serves it at /all.js.
    if (p === '/atlassian-connect/all.js' || p === '/atlassian-connect/all-debug.js') return serveVendor(req, res, 'iframe.js');
    if (p.startsWith('/_emu/vendor/')) return serveVendor(req, res, p.slice('/_emu/vendor/'.length));
    if (p.startsWith('/_emu/static/')) return serveStatic(req, res, p.slice('/_emu/static/'.length));
    if (p.startsWith('/_emu/api/')) return await handleControlApi(emu, req, res, url);
    if (p.startsWith('/_emu/bridge/')) return await handleBridge(emu, req, res, url);
    if (p === '/_emu' || p === '/_emu/' || p === '/_emu/action') return await handleControlForm(emu, req, res, url);
    if (p === '/oauth2/token' && req.method === 'POST') return await oauthToken(emu, req, res);
    if (p === '/favicon.ico') return send(res, 204, '');
    const match = siteForPath(emu, p);
    if (!match) {
      // e.g. `/` after the Jira site moved to a path: send people to the site's new home.
      if (req.method === 'GET' && p === '/') return send(res, 302, '', { location: `${emu.site('jira').baseUrl}/` });
      return sendJson(res, 404, { errorMessages: [`No site at ${p}`], errors: {} });
    }
    if (match.rel.startsWith('/rest/')) return await productRestRoute(emu, req, res, url, match.site, match.rel);
    return await handleProductPage(emu, req, res, url, match.site, match.rel);
  } catch (err) {
    if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
    throw err;
  }
}

async function oauthToken(emu: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const fault = await injectFault(emu.faults, '/oauth2/token', res, emu.now());
  if (fault) {
    emu.restLog.push({ at: new Date().toISOString(), method: 'POST', path: '/oauth2/token', auth: 'none', status: 0, fault });
    return;
  }
  const out = await handleTokenRequest({
    contentType: req.headers['content-type'],
    body: await readBody(req, 64 * 1024),
    sites: Object.values(emu.sites),
    audiences: [emu.url],
    ttlSeconds: emu.settings.oauthTokenTtlSeconds,
    leewaySeconds: emu.settings.leewaySeconds,
    tokens: emu.tokens,
  });
  emu.restLog.push({
    at: new Date().toISOString(),
    method: 'POST',
    path: '/oauth2/token',
    auth: 'none',
    status: out.status,
    error: out.status === 200 ? undefined : String(out.body.error_description),
  });
  sendJson(res, out.status, out.body, { pragma: 'no-cache' });
}

/**
 * Another way in to a site's REST API (the Forge API gateway, emulator/forge): its own caller
 * check, the same faults, rate limits, permission checks and log.
 */
export interface RestEntry {
  /** The caller, or a ProductAuthError (401 with its code). */
  verify(authorization: string | undefined): Promise<Principal>;
  /** Shown in the REST log's `auth` column. */
  auth: RestRecord['auth'];
  /** `WWW-Authenticate` of a 401. */
  challenge: string;
}

export async function productRestRoute(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL, site: Site, rel: string, entry?: RestEntry): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const record = { at: new Date().toISOString(), method, path: rel + url.search.replace(/([?&]jwt=)[^&]*/, '$1…'), auth: 'none' as const };
  // The site answers only at its current address; after a rename the old one is gone.
  if (!entry && url.host !== new URL(site.baseUrl).host) {
    emu.restLog.push({ ...record, status: 404, error: 'wrong host for this site' });
    return sendJson(res, 404, { errorMessages: [`This site is now at ${site.baseUrl}`], errors: {} });
  }
  const fault = await injectFault(emu.faults, rel, res, emu.now());
  if (fault) return emu.restLog.push({ ...record, status: fault === 'refuse' ? 0 : Number(fault), fault });
  const authorization = req.headers.authorization;
  const auth = entry?.auth ?? (/^bearer\s/i.test(authorization ?? '') ? 'bearer' : /^jwt\s/i.test(authorization ?? '') ? 'jwt' : 'none');
  let caller;
  try {
    caller = entry
      ? await entry.verify(authorization)
      : await verifyAppRequest({ method, url, authorization, site, tokens: emu.tokens, leewaySeconds: emu.settings.leewaySeconds });
  } catch (err) {
    if (!(err instanceof ProductAuthError)) throw err;
    emu.restLog.push({ ...record, auth, status: 401, error: `${err.code}: ${err.message}` });
    return sendJson(res, 401, { errorMessages: [err.message], errors: {}, code: err.code }, { 'www-authenticate': entry?.challenge ?? 'JWT realm="Atlassian"' });
  }
  const gate = admitAppCall(emu.rateLimits, site, method, rel, res);
  if ('refused' in gate) return emu.restLog.push({ ...record, auth, status: 429, error: `rate limited: ${gate.refused}` });
  let body: unknown;
  if (method === 'POST' || method === 'PUT') {
    const text = await readBody(req);
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return sendJson(res, 400, { errorMessages: ['Request body is not valid JSON.'], errors: {} });
    }
  }
  const out = productRest({ method, path: rel, query: url.searchParams, body, caller, site, license: emu.viewer.license });
  emu.restLog.push({ ...record, auth, accountId: caller.kind === 'user' ? caller.accountId : undefined, status: out.status });
  sendJson(res, out.status, out.body, gate.settle(out.status, out.body));
}
