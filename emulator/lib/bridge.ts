import type { IncomingMessage, ServerResponse } from 'node:http';
import { findModule } from './descriptor';
import { ACTING_USERS, findIssue, userByKey, type ActingUserKey } from './directory';
import type { Emulator } from './emulator';
import { injectFault } from './faults';
import { HttpError, readJson, sendJson } from './http';
import { productRest, type Caller } from './rest';
import { signSymmetricToken } from './signing';
import type { Product } from './state';
import type { ModuleContext } from './module-url';
import { frameSrc, issueContext } from '../pages/frame';

/**
 * The server half of the product modules the page's glue defines around Atlassian's
 * connect-host.js: signing context JWTs for `AP.context.getToken`, running `AP.request` calls as
 * the viewing user, and signing a fresh iframe URL for the library's content resolver (a page
 * URL whose JWT expired, e.g. a glance opened long after the page loaded). Only the emulator's own
 * pages call it (JSON bodies, so a cross-origin form cannot).
 */

interface BridgeBody {
  product?: Product;
  as?: ActingUserKey;
  context?: Record<string, unknown>;
  url?: string;
  type?: string;
  data?: unknown;
  contentType?: string;
  module?: string;
  productContext?: Record<string, unknown>;
}

function parse(body: unknown): BridgeBody {
  const b = (body ?? {}) as BridgeBody;
  if (b.product !== undefined && b.product !== 'jira' && b.product !== 'confluence') throw new HttpError(400, 'bad product');
  if (b.as !== undefined && !ACTING_USERS.some((u) => u.key === b.as)) throw new HttpError(400, 'bad user');
  return b;
}

export async function handleBridge(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method !== 'POST') throw new HttpError(405, 'POST only');
  if (!req.headers['content-type']?.startsWith('application/json')) throw new HttpError(415, 'JSON only');
  const b = parse(await readJson(req));
  const site = emu.site(b.product ?? 'jira');
  const user = userByKey(b.as ?? emu.viewer.user);
  if (!site.installed || !site.enabled || !site.sharedSecret || !site.descriptor) {
    return sendJson(res, 409, { error: 'the app is not installed and enabled on this site' });
  }

  if (url.pathname === '/_emu/bridge/token') {
    const token = await signSymmetricToken({
      sharedSecret: site.sharedSecret,
      issuer: site.clientKey,
      accountId: user?.accountId,
      qsh: 'context-qsh',
      ttlSeconds: emu.settings.contextTokenTtlSeconds,
      claims: { context: b.context ?? {} },
    });
    return sendJson(res, 200, { token });
  }

  if (url.pathname === '/_emu/bridge/url') {
    const m = typeof b.module === 'string' ? findModule(site.descriptor, b.module) : undefined;
    if (!m) throw new HttpError(404, 'no such module');
    const pc = b.productContext ?? {};
    let ctx: ModuleContext = {};
    if (typeof pc['issue.key'] === 'string') {
      const issue = findIssue(pc['issue.key']);
      if (!issue) throw new HttpError(404, 'no such issue');
      ctx = issueContext(issue);
    } else {
      ctx = { extra: Object.fromEntries(Object.entries(pc).filter((e): e is [string, string] => typeof e[1] === 'string')) };
    }
    return sendJson(res, 200, { url: await frameSrc(emu, site, m, ctx, { ...emu.viewer, user: b.as ?? emu.viewer.user }) });
  }

  if (url.pathname === '/_emu/bridge/request') {
    // AP.request URLs are relative to the site's context path and never leave the site.
    if (typeof b.url !== 'string' || !b.url.startsWith('/') || b.url.startsWith('//')) throw new HttpError(400, 'url must be a path');
    const target = new URL(b.url, 'http://site.invalid');
    const method = (b.type ?? 'GET').toUpperCase();
    const record = { at: new Date().toISOString(), method, path: target.pathname + target.search, auth: 'bridge' as const, accountId: user?.accountId };
    const fault = await injectFault(emu.faults, target.pathname, res, emu.now());
    if (fault) return emu.restLog.push({ ...record, status: fault === 'refuse' ? 0 : Number(fault), fault });
    let body: unknown = b.data;
    if (typeof b.data === 'string' && (b.contentType ?? '').includes('json')) {
      try {
        body = JSON.parse(b.data);
      } catch {
        return sendJson(res, 400, { errorMessages: ['Request body is not valid JSON.'], errors: {} });
      }
    }
    const caller: Caller = user
      ? { kind: 'user', clientKey: site.clientKey, accountId: user.accountId, scopes: [], via: 'bridge' }
      : { kind: 'anonymous' };
    const out = target.pathname.startsWith('/rest/')
      ? productRest({ method, path: target.pathname, query: target.searchParams, body, caller, site, license: emu.viewer.license })
      : { status: 404, body: { errorMessages: ['AP.request only reaches REST resources'], errors: {} } };
    emu.restLog.push({ ...record, status: out.status });
    return sendJson(res, out.status, out.body);
  }
  throw new HttpError(404, 'no such bridge call');
}
