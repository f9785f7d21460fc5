import { randomUUID } from 'node:crypto';
import { createQueryStringHash, encodeSymmetric, fromMethodAndUrl } from 'atlassian-jwt';
import { rmSync } from 'node:fs';
import { Emulator } from '@/emulator/lib/emulator';
import { emulatorEnv, freePort, startApp, type AppServer, type StartAppOptions } from '../../scripts/stack';
import { databaseOptions } from '../support/database';
import { readBootstrap } from '../support/product';

/**
 * Webhook deliveries as Jira sends them, signed with atlassian-jwt (Atlassian's own library, not
 * the app's code): HS256 with the site's shared secret, `iss` = clientKey, a qsh of exactly this
 * POST relative to the app's baseUrl, `X-Atlassian-Webhook-Identifier` and, on retries,
 * `X-Atlassian-Webhook-Retry`. And the stack the webhook suites run on: the product emulator
 * plus the built app installed in it.
 */

export interface SigningSite {
  clientKey: string;
  sharedSecret: string;
}

export interface DeliveryOptions {
  /** JSON body (default: none, as with `excludeBody`). */
  body?: unknown;
  /** Sent as is (malformed bodies). */
  rawBody?: string;
  /** Default: a new identifier. null: send none. */
  id?: string | null;
  retry?: number;
  /** Replaces the Authorization header value (null: none). */
  authorization?: string | null;
  /** Claims over the standard ones (e.g. an expired `exp`, another `qsh`). */
  claims?: Record<string, unknown>;
  /** Sign with another secret. */
  secret?: string;
  /** The URL the qsh is computed for (default: the one posted to). */
  signedPath?: string;
  /** The app's configured base URL, when posting to one instance behind it. */
  baseUrl?: string;
  headers?: Record<string, string>;
}

export function webhookToken(appUrl: string, site: SigningSite, path: string, opts: Pick<DeliveryOptions, 'claims' | 'secret'> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const qsh = createQueryStringHash(fromMethodAndUrl('POST', path), false, appUrl);
  return encodeSymmetric({ iss: site.clientKey, iat: now, exp: now + 180, qsh, ...opts.claims }, opts.secret ?? site.sharedSecret);
}

export async function deliver(appUrl: string, site: SigningSite, path: string, opts: DeliveryOptions = {}): Promise<{ status: number; text: string; id: string | null }> {
  const id = opts.id === undefined ? randomUUID() : opts.id;
  const authorization = opts.authorization === undefined ? `JWT ${webhookToken(opts.baseUrl ?? appUrl, site, opts.signedPath ?? path, opts)}` : opts.authorization;
  const res = await fetch(appUrl + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization !== null ? { authorization } : {}),
      ...(id !== null ? { 'x-atlassian-webhook-identifier': id } : {}),
      ...(opts.retry ? { 'x-atlassian-webhook-retry': String(opts.retry) } : {}),
      ...opts.headers,
    },
    body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  return { status: res.status, text: await res.text(), id };
}

/** A `jira:issue_updated` body for a move, shaped like Jira's (trimmed). */
export function movedBody(issueId: string, project: { id: string; key: string }, at: number): Record<string, unknown> {
  return {
    timestamp: at,
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_moved',
    user: { accountId: '5b10a2844c20165700ede21g', displayName: 'Alana Admin' },
    issue: { id: issueId, key: `${project.key}-9`, fields: { summary: 'Moved', project: { ...project, name: project.key } } },
    changelog: { id: '1', items: [{ field: 'project', fieldtype: 'jira', fieldId: 'project', from: '10000', to: project.id }] },
  };
}

export interface EmulatedStack {
  emu: Emulator;
  app: AppServer;
  site: SigningSite;
  /** The PostgreSQL database of the run (PostgreSQL pass only), for checks on the job table. */
  databaseUrl?: string;
  /** Starts (again) an app process on the same port, database and data dir. */
  restart(env?: Record<string, string>): Promise<AppServer>;
  stop(): Promise<void>;
}

/** The emulator and the built app, installed; `env` adds app settings. */
export async function startEmulatedStack(env: Record<string, string> = {}, opts: Pick<StartAppOptions, 'dataDir'> = {}): Promise<EmulatedStack> {
  process.env.EMU_FORGE = '0';
  const port = await freePort();
  const emu = await new Emulator({ appUrl: `http://localhost:${port}`, port: 0, quiet: true }).start();
  const db = await databaseOptions();
  const base = {
    ...emulatorEnv(emu),
    PURGE_INTERVAL_MINUTES: '0',
    GDPR_REPORT_INTERVAL_HOURS: '0',
  };
  const start = (extra: Record<string, string>, dataDir?: string) => startApp({ ...db, port, dataDir, keepData: true, env: { ...base, ...env, ...extra } });
  const stack: EmulatedStack = {
    emu,
    app: await start({}, opts.dataDir),
    site: { clientKey: '', sharedSecret: '' },
    databaseUrl: db.databaseUrl,
    async restart(extra = {}) {
      stack.app = await start(extra, stack.app.dataDir);
      return stack.app;
    },
    async stop() {
      await stack.app.stop();
      await emu.stop();
      if (!opts.dataDir) rmSync(stack.app.dataDir, { recursive: true, force: true });
    },
  };
  const results = await emu.install('jira');
  if (!results.every((r) => r.ok)) throw new Error(`install failed: ${JSON.stringify(results)}\n${stack.app.output()}`);
  const jira = emu.site('jira');
  stack.site = { clientKey: jira.clientKey, sharedSecret: jira.sharedSecret! };
  return stack;
}

/** A context JWT for an issue, as AP.context.getToken() gives it in that issue's view. */
export async function issueToken(emu: Emulator, issue: string, user = 'admin'): Promise<string> {
  const res = await fetch(`${emu.url}/_emu/api/context-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ issue, user }) });
  return ((await res.json()) as { token: string }).token;
}

/**
 * A session of the admin page as the emulator's Jira opens it (settings, export and delete-all
 * take only that page's session): `Bearer <token>` for {@link api}.
 */
export async function adminSession(emu: Emulator, user = 'admin'): Promise<string> {
  const { url } = (await (await fetch(`${emu.url}/_emu/api/module-url?module=checklists-admin&user=${user}`)).json()) as { url: string };
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`admin page: ${res.status} ${await res.text()}`);
  return `Bearer ${readBootstrap(await res.text()).sessionToken}`;
}

/** Calls the app's API with a context JWT (or an `adminSession`). */
export async function api(appUrl: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(appUrl + path, {
    method,
    headers: { authorization: token.startsWith('Bearer ') ? token : `JWT ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Waits for a condition the app reaches on its own (a job ran); fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
