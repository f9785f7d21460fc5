import { randomBytes, randomUUID } from 'node:crypto';
import {
  InstallKeysServer,
  lifecyclePayload,
  newInstallKeyPair,
  signInstallToken,
  signSymmetricToken,
  type FakeProduct,
  type InstallKeyPair,
  type LifecycleEvent,
} from 'atlassian-connect-next/testing';
import { startApp, type AppServer } from '@/scripts/stack';
import { databaseOptions } from './database';

/**
 * The product's side for the reference app's integration tests and benchmarks, on the
 * framework's testing entry (lib/connect/testing): sites that install the app and sign requests
 * as Jira does, and the built app started to trust them.
 */
export const APP_KEY = 'com.example.connect-checklists';

/** The install-keys server with one signing key, as connect-install-keys.atlassian.com. */
export class FakeKeys {
  readonly server = new InstallKeysServer();
  readonly pair: InstallKeyPair = newInstallKeyPair();
  constructor() {
    this.server.add(this.pair);
  }
  start(): Promise<string> {
    return this.server.start();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }
}

/** One installation of the app; also a FakeProduct site (push it to `product.sites`). */
export interface Site {
  clientKey: string;
  appKey: string;
  baseUrl: string;
  sharedSecret: string;
  cloudId: string;
}

/** A new site at `baseUrl` (e.g. a FakeProduct's `url`), or with the given fields. */
export function newSite(at: string | Partial<Site> = {}): Site {
  const id = randomUUID();
  return {
    clientKey: `ck-${id}`,
    appKey: APP_KEY,
    baseUrl: `https://site-${id.slice(0, 8)}.atlassian.net`,
    sharedSecret: randomBytes(32).toString('base64url'),
    cloudId: randomUUID(),
    ...(typeof at === 'string' ? { baseUrl: at } : at),
  };
}

/** POSTs a lifecycle callback signed like the product (RS256 for install/uninstall, HS256 otherwise). */
export async function sendLifecycle(
  app: string,
  keys: FakeKeys,
  site: Site,
  event: LifecycleEvent,
  opts: { token?: string; body?: unknown; claims?: Record<string, unknown>; header?: Record<string, unknown>; pair?: InstallKeyPair } = {},
): Promise<Response> {
  const url = `${app}/lifecycle/${event}`;
  const body =
    opts.body ??
    lifecyclePayload({ appKey: APP_KEY, clientKey: site.clientKey, baseUrl: site.baseUrl, eventType: event, sharedSecret: event === 'installed' ? site.sharedSecret : undefined, cloudId: site.cloudId });
  const token =
    opts.token ??
    (event === 'installed' || event === 'uninstalled'
      ? await signInstallToken({ pair: opts.pair ?? keys.pair, clientKey: site.clientKey, appBaseUrl: app, url, claims: opts.claims, header: opts.header })
      : await signSymmetricToken({ sharedSecret: site.sharedSecret, issuer: site.clientKey, method: 'POST', url, baseUrl: app, claims: opts.claims }));
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `JWT ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Installs the app on a site as the product does (signed install); throws unless accepted. */
export async function install(app: string, keys: FakeKeys, site: Site): Promise<void> {
  const res = await sendLifecycle(app, keys, site, 'installed');
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

/** A module URL as the product builds it: context variables and parameters, and a page JWT. */
export async function pageUrl(
  app: string,
  site: Site,
  path: string,
  opts: { accountId?: string; params?: PageParams & Record<string, string | undefined>; secret?: string; claims?: Record<string, unknown>; ttlSeconds?: number } = {},
): Promise<string> {
  const u = new URL(path, app);
  const params: Record<string, string | undefined> = { xdm_e: site.baseUrl, xdm_c: 'channel-1', cp: '', cv: '1001.0.0', ...opts.params };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  const jwt = await signSymmetricToken({
    sharedSecret: opts.secret ?? site.sharedSecret,
    issuer: site.clientKey,
    url: u.toString(),
    baseUrl: app,
    accountId: opts.accountId,
    claims: opts.claims,
    ttlSeconds: opts.ttlSeconds,
  });
  u.searchParams.set('jwt', jwt);
  return u.toString();
}

/** A context JWT as `AP.context.getToken()` returns it; with `issueId`, for an issue-view module. */
export function contextToken(site: Site, accountId?: string, opts: { secret?: string; ttlSeconds?: number; issueId?: string } = {}): Promise<string> {
  return signSymmetricToken({
    sharedSecret: opts.secret ?? site.sharedSecret,
    issuer: site.clientKey,
    qsh: 'context-qsh',
    accountId,
    ttlSeconds: opts.ttlSeconds,
    claims: opts.issueId ? { context: { jira: { issue: { id: opts.issueId, key: `CHK-${opts.issueId}` }, project: { id: '100', key: 'CHK' } } } } : {},
  });
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

/** Loads a page and returns the session token the app put in its bootstrap. */
export async function sessionFor(app: string, site: Site, accountId: string, params: PageParams = {}, path = '/panel/issue'): Promise<{ token: string; boot: Bootstrap; html: string }> {
  const defaults = path === '/panel/issue' ? { issueKey: 'CHK-1', issueId: '10001', projectKey: 'CHK', projectId: '100' } : {};
  const res = await fetch(await pageUrl(app, site, path, { accountId, params: { ...defaults, lic: 'active', ...params } }));
  const html = await res.text();
  if (res.status !== 200) throw new Error(`page ${path} ${res.status}: ${html}`);
  const boot = readBootstrap(html);
  return { token: boot.sessionToken, boot, html };
}

/**
 * Starts the fake product and the install-keys server, then the built app trusting both (keys
 * CDN, product host); `env` adds or overrides settings. The database follows the suite's kind.
 */
export async function startAppWithProduct(product: FakeProduct, keys: FakeKeys, env: Record<string, string> = {}): Promise<AppServer> {
  await product.start();
  const keysUrl = await keys.start();
  return startApp({
    ...(await databaseOptions()),
    env: { CONNECT_KEYS_CDN_URL: keysUrl, ALLOWED_PRODUCT_HOSTS: new URL(product.url).host, ...env },
  });
}
