import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { lifecyclePayload, signInstallToken, signSymmetricToken } from '../../emulator/lib/signing';
import { computeQsh } from '../../lib/connect/qsh';
import { APP_KEY, FakeKeys as Keys, newSite as newSupportSite, type Site } from '../support/product';
import { startApp, type AppServer } from '../../scripts/stack';
import { databaseOptions } from '../support/database';

/**
 * The product's side for the reference app's integration tests and benchmarks: signed installs,
 * page and context JWTs, and a small fake product REST API (permissions, users, app license)
 * that verifies the app's JWTs the way Jira does.
 */

export { APP_KEY, FakeKeys as Keys, type Site } from '../support/product';

/** A site of the fake product at `baseUrl` (the product's REST API is served there). */
export function newSite(baseUrl: string): Site {
  return newSupportSite({ baseUrl });
}

/** Installs the app on a site exactly as the product does: RS256 signed-install with kid, aud, qsh. */
export async function install(app: string, keys: Keys, site: Site): Promise<void> {
  const url = `${app}/lifecycle/installed`;
  const body = lifecyclePayload({
    appKey: APP_KEY,
    clientKey: site.clientKey,
    baseUrl: site.baseUrl,
    eventType: 'installed',
    sharedSecret: site.sharedSecret,
    cloudId: site.cloudId,
  });
  const token = await signInstallToken({ pair: keys.pair, clientKey: site.clientKey, appBaseUrl: app, url });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `JWT ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 204) throw new Error(`install failed: ${res.status} ${await res.text()}`);
}

export interface PageParams {
  issueKey?: string;
  issueId?: string;
  projectKey?: string;
  projectId?: string;
  lic?: 'active' | 'none';
  loc?: string;
  tz?: string;
}

/** A module URL as the product builds it: context variables, context parameters and a page JWT. */
export async function pageUrl(
  app: string,
  site: Site,
  path: string,
  opts: { accountId?: string; params?: PageParams & Record<string, string | undefined>; ttlSeconds?: number } = {},
): Promise<string> {
  const u = new URL(path, app);
  const params: Record<string, string | undefined> = { xdm_e: site.baseUrl, xdm_c: 'channel-checklist', cp: '', cv: '1001.0.0', ...opts.params };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  const jwt = await signSymmetricToken({
    sharedSecret: site.sharedSecret,
    issuer: site.clientKey,
    url: u.toString(),
    baseUrl: app,
    accountId: opts.accountId,
    ttlSeconds: opts.ttlSeconds,
  });
  u.searchParams.set('jwt', jwt);
  return u.toString();
}

/** A context JWT as `AP.context.getToken()` returns it. */
export function contextToken(site: Site, accountId?: string, opts: { ttlSeconds?: number; secret?: string; issueId?: string } = {}): Promise<string> {
  return signSymmetricToken({
    sharedSecret: opts.secret ?? site.sharedSecret,
    issuer: site.clientKey,
    qsh: 'context-qsh',
    accountId,
    ttlSeconds: opts.ttlSeconds,
    // As the product signs it for an issue-view module: where the iframe is.
    claims: opts.issueId ? { context: { jira: { issue: { id: opts.issueId, key: `CHK-${opts.issueId}` }, project: { id: '100', key: 'CHK' } } } } : {},
  });
}

/** Loads a page and returns the session token the app put in its bootstrap. */
export async function sessionFor(app: string, site: Site, accountId: string, params: PageParams = {}, path = '/panel/issue'): Promise<{ token: string; boot: Bootstrap; html: string }> {
  const defaults = path === '/panel/issue' ? { issueKey: 'CHK-1', issueId: '10001', projectKey: 'CHK', projectId: '100' } : {};
  const res = await fetch(await pageUrl(app, site, path, { accountId, params: { ...defaults, lic: 'active', ...params } }));
  const html = await res.text();
  if (res.status !== 200) throw new Error(`panel page ${res.status}: ${html}`);
  const boot = readBootstrap(html);
  return { token: boot.sessionToken, boot, html };
}

export interface Bootstrap {
  sessionToken: string;
  locale: string;
  timeZone?: string;
  license: { param: string; licensed: boolean };
  [k: string]: unknown;
}

export function readBootstrap(html: string): Bootstrap {
  const m = /<script id="app-bootstrap" type="application\/json">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error('no bootstrap in page');
  return JSON.parse(m[1]!) as Bootstrap;
}

/** Fake product REST API: answers what the app asks Jira, after checking the app's JWT and qsh. */
export class FakeProduct {
  private server?: Server;
  url = '';
  readonly sites: Site[] = [];
  readonly admins = new Set<string>();
  readonly names = new Map<string, string>();
  /** The app's license per site (clientKey); sites not listed have an active license. */
  readonly licenses = new Map<string, { active: boolean; evaluation?: boolean } | null>();
  calls: { site: string; method: string; path: string; body?: unknown }[] = [];
  rejected = 0;
  /**
   * A site in trouble, for the panels-under-faults tests and bench:faults: added latency, a
   * share of answers with `errorStatus` (reproducible PRNG), or `down` (connections closed
   * without an answer, as when the site is unreachable).
   */
  readonly faults = { latencyMs: 0, errorRate: 0, errorStatus: 503, down: false };
  private seed = 7;

  clearFaults(): void {
    Object.assign(this.faults, { latencyMs: 0, errorRate: 0, errorStatus: 503, down: false });
  }

  private random(): number {
    // mulberry32, as lib/connect/product/testing/fake-product.ts: "50 % errors" alike on every run
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      if (this.faults.down) socket.destroy();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async verify(req: IncomingMessage): Promise<Site | undefined> {
    const m = /^JWT (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const full = new URL(req.url ?? '/', this.url);
    for (const site of this.sites) {
      try {
        const { payload } = await jwtVerify(m[1]!, new TextEncoder().encode(site.sharedSecret), { algorithms: ['HS256'], issuer: APP_KEY });
        if (payload.qsh !== computeQsh(req.method ?? 'GET', full, this.url)) return undefined;
        return site;
      } catch {
        /* try the next site */
      }
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.faults.down) return void req.socket.destroy(); // a kept-alive connection from before the outage
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, json?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(json === undefined ? '' : JSON.stringify(json));
    };
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.faults.down) return void req.socket.destroy();
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
      send(this.faults.errorStatus, { errorMessages: ['injected error'] });
      return;
    }
    const site = await this.verify(req);
    if (!site) {
      this.rejected++;
      send(401, { message: 'bad jwt' });
      return;
    }
    this.calls.push({ site: site.clientKey, method: req.method ?? 'GET', path: url.pathname + url.search, body });
    if (req.method === 'POST' && url.pathname === '/rest/api/3/permissions/check') {
      const wanted = (body?.globalPermissions as string[] | undefined) ?? [];
      const has = this.admins.has(String(body?.accountId));
      send(200, { globalPermissions: has ? wanted.filter((p) => p === 'ADMINISTER') : [], projectPermissions: [] });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/rest/api/3/user') {
      const id = url.searchParams.get('accountId') ?? '';
      const name = this.names.get(id);
      if (!name) send(404, { errorMessages: ['not found'] });
      else send(200, { accountId: id, displayName: name, active: true, accountType: 'atlassian' });
      return;
    }
    if (req.method === 'GET' && url.pathname === `/rest/atlassian-connect/1/addons/${APP_KEY}`) {
      const lic = this.licenses.has(site.clientKey) ? this.licenses.get(site.clientKey) : { active: true };
      send(200, { key: APP_KEY, state: 'ENABLED', ...(lic ? { license: { ...lic, type: 'COMMERCIAL', supportEntitlementNumber: 'SEN-1' } } : {}) });
      return;
    }
    send(404, { errorMessages: ['no such endpoint in the fake product'] });
  }
}

/**
 * Starts the fake product and the install-keys server, then the built app trusting both (keys
 * CDN, product host); `env` adds or overrides settings. The database follows the suite's kind.
 */
export async function startAppWithProduct(product: FakeProduct, keys: Keys, env: Record<string, string> = {}): Promise<AppServer> {
  await product.start();
  const keysUrl = await keys.start();
  return startApp({
    ...(await databaseOptions()),
    env: { CONNECT_KEYS_CDN_URL: keysUrl, ALLOWED_PRODUCT_HOSTS: new URL(product.url).host, ...env },
  });
}
