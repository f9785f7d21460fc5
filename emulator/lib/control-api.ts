import type { IncomingMessage, ServerResponse } from 'node:http';
import { findModule } from './descriptor';
import { findIssue, userByKey } from './directory';
import type { Emulator } from './emulator';
import { HttpError, readBody, readJson, redirect, sendHtml, sendJson } from './http';
import { RateLimitConfigError } from './rate-limits/config';
import { signSymmetricToken } from './signing';
import { mergeViewer, type Faults, type Product, type Settings } from './state';
import { controlPage } from '../pages/control';
import { apContext, frameSrc, issueContext } from '../pages/frame';

/**
 * The emulator's control surface: a JSON API under /_emu/api/ for tests and scripts, and the
 * form actions behind the control page at /_emu. Both drive the same Emulator methods.
 */

type Body = Record<string, unknown>;

const product = (b: Body): Product => (b.product === 'confluence' ? 'confluence' : 'jira');

/** Runs a named action; shared by the JSON API and the control page's forms. */
export async function runAction(emu: Emulator, action: string, b: Body): Promise<unknown> {
  switch (action) {
    case 'install':
    case 'reinstall':
      return emu.install(product(b));
    case 'uninstall':
      return emu.uninstall(product(b));
    case 'enable':
      return emu.enable(product(b));
    case 'disable':
      return emu.disable(product(b));
    case 'base-url':
      if (typeof b.baseUrl !== 'string') throw new HttpError(400, 'baseUrl required');
      return emu.changeBaseUrl(b.baseUrl, product(b));
    case 'viewer':
      emu.setViewer(b);
      return emu.state().viewer;
    case 'faults':
      try {
        return emu.setFaults(b as Partial<Faults>);
      } catch (err) {
        throw new HttpError(400, (err as Error).message);
      }
    case 'clear-faults':
      emu.faults = emu.setFaults({ latencyMs: 0, errorRate: 0, rateLimitRate: 0, refuse: false, failNext: 0, pathPrefix: '', rateLimit: null });
      return emu.faults;
    case 'settings': {
      const s = { ...emu.settings };
      for (const k of Object.keys(s) as (keyof Settings)[]) {
        const v = b[k];
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 86_400) s[k] = v;
      }
      emu.settings = s;
      return s;
    }
    case 'rotate-install-key':
      return { kid: emu.rotateInstallKey() };
    case 'reset':
      await emu.reset();
      return emu.state();
    default:
      throw new HttpError(404, `unknown action ${action}`);
  }
}

const ACTIONS = new Set(['install', 'reinstall', 'uninstall', 'enable', 'disable', 'base-url', 'viewer', 'faults', 'clear-faults', 'settings', 'rotate-install-key', 'reset']);

export async function handleControlApi(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const name = url.pathname.slice('/_emu/api/'.length);
  const method = req.method ?? 'GET';
  if (method === 'GET' && name === 'state') return sendJson(res, 200, emu.state());
  if (name === 'requests') {
    if (method === 'DELETE') emu.restLog.clear();
    return sendJson(res, 200, emu.restLog.list());
  }
  if (name === 'rate-limits') return rateLimitsApi(emu, req, res, method);
  if (method === 'GET' && name === 'lifecycle') return sendJson(res, 200, emu.lifecycleLog.list());
  if (method === 'DELETE' && name === 'faults') return sendJson(res, 200, await runAction(emu, 'clear-faults', {}));
  if (method === 'GET' && name === 'module-url') return sendJson(res, 200, { url: await moduleUrlFor(emu, url.searchParams) });
  if (method === 'POST' && name === 'context-token') return sendJson(res, 200, { token: await contextToken(emu, (await readJson(req)) as Body) });
  if (method === 'POST' && ACTIONS.has(name)) {
    if (!req.headers['content-type']?.startsWith('application/json') && req.headers['content-length'] !== '0' && req.headers['content-length']) {
      throw new HttpError(415, 'JSON only');
    }
    try {
      const result = await runAction(emu, name, (await readJson(req)) as Body);
      const outcomes = Array.isArray(result) ? (result as { ok?: boolean }[]) : undefined;
      const ok = outcomes ? outcomes.every((o) => o.ok !== false) : true;
      return sendJson(res, ok ? 200 : 502, { ok, result, state: emu.state() });
    } catch (err) {
      if (err instanceof HttpError) throw err;
      return sendJson(res, 409, { ok: false, error: (err as Error).message, state: emu.state() });
    }
  }
  throw new HttpError(404, `no control endpoint ${method} ${url.pathname}`);
}

/**
 * `GET /_emu/api/rate-limits`: the ledger (points per site and app, the pools, burst buckets,
 * per-issue writes, the cost table). `POST` configures the limits (config.ts), `DELETE` clears
 * the counters and keeps the configuration.
 */
async function rateLimitsApi(emu: Emulator, req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
  if (method === 'DELETE') emu.rateLimits.clearCounters();
  else if (method === 'POST') {
    try {
      emu.rateLimits.configure(await readJson(req));
    } catch (err) {
      if (!(err instanceof RateLimitConfigError)) throw err;
      throw new HttpError(400, err.message);
    }
  } else if (method !== 'GET') throw new HttpError(405, 'GET, POST or DELETE');
  return sendJson(res, 200, emu.rateLimits.snapshot());
}

/** A signed iframe URL for a module, as a page would embed it now (for tests and benchmarks). */
async function moduleUrlFor(emu: Emulator, q: URLSearchParams): Promise<string> {
  const site = emu.site(q.get('product') === 'confluence' ? 'confluence' : 'jira');
  const m = site.descriptor && findModule(site.descriptor, q.get('module') ?? '');
  if (!m) throw new HttpError(404, 'unknown module (is the app installed?)');
  const issue = findIssue(q.get('issue') ?? 'DEMO-1');
  if (!issue) throw new HttpError(404, 'unknown issue');
  const { viewer } = mergeViewer(emu.viewer, { user: q.get('user'), locale: q.get('locale'), license: q.get('license') });
  const ctx = m.kind.startsWith('issue') ? issueContext(issue) : {};
  return frameSrc(emu, site, m, ctx, viewer);
}

async function contextToken(emu: Emulator, b: Body): Promise<string> {
  const site = emu.site(product(b));
  if (!site.sharedSecret) throw new HttpError(409, 'the app is not installed');
  const user = typeof b.user === 'string' ? userByKey(b.user as never) : emu.actingUser();
  const issue = findIssue(typeof b.issue === 'string' ? b.issue : 'DEMO-1');
  return signSymmetricToken({
    sharedSecret: site.sharedSecret,
    issuer: site.clientKey,
    accountId: user?.accountId,
    qsh: 'context-qsh',
    ttlSeconds: emu.settings.contextTokenTtlSeconds,
    claims: { context: issue ? apContext(site, issueContext(issue), emu.viewer) : {} },
  });
}

/** GET /_emu: the control page. POST /_emu/action: its forms. */
export async function handleControlForm(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method === 'GET' && url.pathname !== '/_emu/action') return sendHtml(res, 200, controlPage(emu, url.searchParams.get('msg') ?? undefined));
  if (req.method !== 'POST' || url.pathname !== '/_emu/action') throw new HttpError(405, 'not allowed');
  // Forms only from the emulator's own pages (the app's iframes are another origin).
  const origin = req.headers.origin;
  if (origin && new URL(origin).host !== req.headers.host) throw new HttpError(403, 'cross-origin form post refused');
  const form = new URLSearchParams(await readBody(req, 64 * 1024));
  const b: Body = Object.fromEntries(form);
  for (const k of ['latencyMs', 'errorRate', 'rateLimitRate', 'retryAfterSeconds', 'failNext']) if (k in b) b[k] = Number(b[k]);
  if (form.get('action') === 'faults') b.refuse = form.get('refuse') === 'on';
  let msg: string;
  try {
    const result = await runAction(emu, form.get('action') ?? '', b);
    msg = Array.isArray(result)
      ? (result as { event: string; status: number; skipped?: string }[]).map((r) => `${r.event}: ${r.skipped ?? r.status}`).join(', ')
      : `${form.get('action')}: done`;
  } catch (err) {
    msg = `${form.get('action')} failed: ${(err as Error).message}`;
  }
  redirect(res, `/_emu?msg=${encodeURIComponent(msg)}`);
}
