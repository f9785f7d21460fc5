import { randomBytes, randomUUID } from 'node:crypto';
import {
  InstallKeysServer,
  lifecyclePayload,
  newInstallKeyPair,
  signInstallToken,
  signSymmetricToken,
  type InstallKeyPair,
} from '@/emulator/lib/signing';

/** Plays a product site in integration tests: installs the app and signs requests as Jira does. */
export const APP_KEY = 'com.example.connect-checklists';

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

export interface Site {
  clientKey: string;
  baseUrl: string;
  sharedSecret: string;
  cloudId: string;
}

export function newSite(overrides: Partial<Site> = {}): Site {
  const id = randomUUID();
  return {
    clientKey: `ck-${id}`,
    baseUrl: `https://site-${id.slice(0, 8)}.atlassian.net`,
    sharedSecret: randomBytes(32).toString('base64url'),
    cloudId: randomUUID(),
    ...overrides,
  };
}

type Event = 'installed' | 'uninstalled' | 'enabled' | 'disabled';

/** POSTs a lifecycle callback signed like the product (RS256 for install/uninstall, HS256 otherwise). */
export async function sendLifecycle(
  app: string,
  keys: FakeKeys,
  site: Site,
  event: Event,
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

/** A page URL as the product builds it, with context params and `jwt`. */
export async function pageUrl(
  app: string,
  site: Site,
  path: string,
  opts: { accountId?: string; params?: Record<string, string>; secret?: string; claims?: Record<string, unknown>; ttlSeconds?: number } = {},
): Promise<string> {
  const u = new URL(path, app);
  const params = { xdm_e: site.baseUrl, xdm_c: 'channel-1', cp: '', cv: '1001.0.0', ...opts.params };
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
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

/** A context JWT as AP.context.getToken() returns it. */
export function contextToken(site: Site, accountId?: string, opts: { secret?: string; ttlSeconds?: number } = {}): Promise<string> {
  return signSymmetricToken({ sharedSecret: opts.secret ?? site.sharedSecret, issuer: site.clientKey, qsh: 'context-qsh', accountId, ttlSeconds: opts.ttlSeconds });
}
