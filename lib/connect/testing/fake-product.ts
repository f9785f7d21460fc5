import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeSymmetric, SymmetricAlgorithm } from 'atlassian-jwt';
import { decodeJwt, jwtVerify } from 'jose';
import { json, routeRequest } from './fake-routes';
import { productQsh } from './qsh';

/**
 * A product (Jira or Confluence Cloud) over real HTTP for tests and benchmarks of a Connect app:
 * one or more installed sites at one address, a few REST resources (issues, users, permissions,
 * the app's license), and the product's checks on every call, done with Atlassian's
 * `atlassian-jwt` (HS256 app JWT, `iss` = app key, lifetime ≤ 3 min, qsh of the exact request
 * relative to the site's baseUrl) or the OAuth bearer tokens it issued through its own
 * `/oauth2/token` JWT bearer grant. Faults: latency, error rate, 429 + Retry-After, dropped
 * connections, or down altogether. Refusals are listed in `authFailures` (tests assert it empty).
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/
 */

export interface FakeSite {
  clientKey: string;
  /** The installed app's key: `iss` of the JWTs it signs. */
  appKey: string;
  sharedSecret: string;
  /** For the OAuth 2 JWT bearer grant (acting as a user); absent: the site refuses grants. */
  oauthClientId?: string;
  /** Context path, e.g. `/wiki` for Confluence. */
  basePath?: string;
  productType?: 'jira' | 'confluence';
}

export interface Fault {
  /** Only requests whose path (without base path) starts with this. Default: all. */
  pathPrefix?: string;
  status?: number;
  /** Retry-After header value (seconds, or a date). */
  retryAfter?: string;
  /** More headers on the fault's answer (e.g. `RateLimit-Reason`). */
  headers?: Record<string, string>;
  latencyMs?: number;
  /** Close the socket without an answer. */
  drop?: boolean;
  /** How many matching requests it affects; undefined = until cleared. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path relative to the site's base path (no query). */
  path: string;
  fullPath: string;
  query: URLSearchParams;
  body?: unknown;
  auth: 'jwt' | 'bearer' | 'none';
  /** The clientKey of the site whose credentials the call carried. */
  site?: string;
  accountId?: string;
  at: number;
}

export type FakeLicense = Record<string, unknown> | null;

interface UserToken {
  site: FakeSite;
  accountId: string;
  scopes: string[];
  expiresAt: number;
}

export type Caller = { kind: 'jwt' | 'bearer'; site: FakeSite; accountId?: string };

export class FakeProduct {
  /** The sites installed here; add more with `sites.push(site)` (they share this address). */
  readonly sites: FakeSite[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly authFailures: string[] = [];
  readonly grants: { accountId: string; scopes: string[] }[] = [];
  users = new Map<string, { displayName: string; timeZone?: string }>([['user-1', { displayName: 'Ada Lovelace', timeZone: 'Europe/London' }]]);
  admins = new Set<string>(['admin-1']);
  issues = new Map<string, { id: string; key: string; summary: string }>([['10001', { id: '10001', key: 'ABC-1', summary: 'First issue' }]]);
  /** The app's license on every site (null: none); `licenses` overrides it per site (clientKey). */
  license: FakeLicense = { active: true, type: 'commercial', evaluation: false };
  readonly licenses = new Map<string, FakeLicense>();
  /** Lifetime of issued access tokens, seconds. */
  tokenTtlSeconds = 900;
  /** Added to every request. */
  latencyMs = 0;
  /** Fraction of requests answered with `errorStatus` (reproducible PRNG). */
  errorRate = 0;
  errorStatus = 503;
  /** Unreachable: every connection is closed without an answer (the port stays open). */
  down = false;
  /** Requests being handled right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  private faults: Fault[] = [];
  private tokens = new Map<string, UserToken>();
  private server?: Server;
  private port = 0;
  private seed = 42;
  private readonly sockets = new Set<Socket>();

  constructor(
    site?: FakeSite,
    private readonly now: () => number = Date.now,
  ) {
    if (site) this.sites.push(site);
  }

  /** The first site (the only one in most tests). */
  get site(): FakeSite {
    const s = this.sites[0];
    if (!s) throw new Error('the fake product has no site');
    return s;
  }

  /** Where the product answers (`http://127.0.0.1:<port>`), also its OAuth authorization server. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The first site's baseUrl (its context path included). */
  get baseUrl(): string {
    return this.baseUrlOf(this.sites[0]);
  }

  /** The OAuth authorization server URL (the `aud` of assertions). */
  get authServerUrl(): string {
    return this.url;
  }

  baseUrlOf(site: FakeSite | undefined): string {
    return `${this.url}${site?.basePath ?? ''}`;
  }

  async start(port = this.port): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    this.server.on('connection', (s) => {
      if (this.down) return void s.destroy();
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.baseUrl;
  }

  /** Stops listening (later connections are refused); `start()` reopens the same port. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
    this.latencyMs = 0;
    this.errorRate = 0;
    this.errorStatus = 503;
    this.down = false;
  }

  count(pathPrefix: string): number {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix)).length;
  }

  licenseOf(site: FakeSite): FakeLicense {
    return this.licenses.has(site.clientKey) ? this.licenses.get(site.clientKey)! : this.license;
  }

  private random(): number {
    // mulberry32: the same "50 % errors" on every run
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The site whose context path holds `pathname` (the longest), and the path relative to it. */
  private locate(pathname: string): { site?: FakeSite; path: string } {
    const within = this.sites.filter((s) => !s.basePath || pathname === s.basePath || pathname.startsWith(`${s.basePath}/`));
    const site = within.sort((a, b) => (b.basePath ?? '').length - (a.basePath ?? '').length)[0];
    const base = site?.basePath ?? '';
    // Resources outside the context path exist too (site-wide endpoints): served by the same routes.
    return { site, path: base ? pathname.slice(base.length) || '/' : pathname };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) return void req.socket.destroy(); // a kept-alive connection from before the outage
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readAll(req);
    if (url.pathname === '/oauth2/token' && method === 'POST') return this.grant(raw, res);
    const { path } = this.locate(url.pathname);
    const rec: RecordedRequest = { method, path, fullPath: url.pathname, query: url.searchParams, body: parseBody(raw), auth: 'none', at: this.now() };
    this.requests.push(rec);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);

    const fault = this.takeFault(path);
    const latency = this.latencyMs + (fault?.latencyMs ?? 0);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (this.down || fault?.drop) return void req.socket.destroy();
    if (fault?.status) return json(res, fault.status, { errorMessages: ['injected'] }, { ...fault.headers, ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
    if (this.errorRate > 0 && this.random() < this.errorRate) return json(res, this.errorStatus, { errorMessages: ['injected error'] });

    const who = await this.authenticate(req, method, url);
    if ('error' in who) {
      this.authFailures.push(`${method} ${path}: ${who.error}`);
      return json(res, 401, { errorMessages: ['unauthorized'] });
    }
    rec.auth = who.kind;
    rec.site = who.site.clientKey;
    rec.accountId = who.accountId;
    return routeRequest(this, method, path, url.searchParams, raw, who, res);
  }

  private takeFault(path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => !f.pathPrefix || path.startsWith(f.pathPrefix));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (f.times !== undefined && --f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async authenticate(req: IncomingMessage, method: string, url: URL): Promise<Caller | { error: string }> {
    if (url.searchParams.has('jwt')) return { error: 'jwt in query string' };
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer (\S+)$/.exec(header)?.[1];
    if (bearer) {
      const t = this.tokens.get(bearer);
      if (!t) return { error: 'unknown bearer token' };
      if (t.expiresAt <= this.now()) return { error: 'expired bearer token' };
      return { kind: 'bearer', site: t.site, accountId: t.accountId };
    }
    const jwt = /^JWT (\S+)$/.exec(header)?.[1];
    if (!jwt) return { error: 'no Authorization: JWT' };
    let claims: { iss?: unknown; iat?: unknown; exp?: unknown; qsh?: unknown };
    try {
      claims = decodeJwt(jwt);
    } catch {
      return { error: 'jwt: malformed' };
    }
    // Sites at one address are told apart by the secret that verifies (iss is the app key).
    const candidates = this.sites.filter((s) => s.appKey === claims.iss);
    if (!candidates.length) return { error: `jwt: iss ${String(claims.iss)} is no app installed here` };
    const site = candidates.find((s) => verifies(jwt, s.sharedSecret));
    if (!site) return { error: 'jwt: signature verification failed' };
    const nowSec = this.now() / 1000;
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return { error: 'jwt: iat and exp are required' };
    if (claims.exp <= nowSec) return { error: 'jwt: expired' };
    if (claims.exp - claims.iat > 180) return { error: 'jwt: token lives longer than 3 minutes' };
    if (typeof claims.qsh !== 'string') return { error: 'jwt: qsh is required' };
    if (claims.qsh !== productQsh(method, url, this.baseUrlOf(site))) return { error: 'jwt: qsh mismatch' };
    return { kind: 'jwt', site };
  }

  private async grant(body: string, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(res, 400, { error: 'unsupported_grant_type' });
    const assertion = form.get('assertion') ?? '';
    try {
      const iss = String(decodeJwt(assertion).iss ?? '');
      const site = this.sites.find((s) => s.oauthClientId && iss === `urn:atlassian:connect:clientid:${s.oauthClientId}`);
      if (!site) throw new Error(`no site with OAuth client ${iss}`);
      const { payload } = await jwtVerify(assertion, new TextEncoder().encode(site.sharedSecret), {
        algorithms: ['HS256'],
        issuer: iss,
        audience: this.authServerUrl,
        currentDate: new Date(this.now()),
      });
      if (payload.tnt !== this.baseUrlOf(site)) throw new Error(`tnt ${String(payload.tnt)} is not ${this.baseUrlOf(site)}`);
      const sub = String(payload.sub ?? '');
      const prefix = 'urn:atlassian:connect:useraccountid:';
      if (!sub.startsWith(prefix)) throw new Error('sub');
      const accountId = sub.slice(prefix.length);
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const token = `tok-${this.grants.length + 1}-${accountId}`;
      this.grants.push({ accountId, scopes });
      this.tokens.set(token, { site, accountId, scopes, expiresAt: this.now() + this.tokenTtlSeconds * 1000 });
      return json(res, 200, { access_token: token, expires_in: this.tokenTtlSeconds, token_type: 'Bearer' });
    } catch (err) {
      this.authFailures.push(`grant: ${(err as Error).message} (${JSON.stringify(safeClaims(assertion))})`);
      return json(res, 401, { error: 'invalid_grant' });
    }
  }
}

function verifies(jwt: string, secret: string): boolean {
  try {
    decodeSymmetric(jwt, secret, SymmetricAlgorithm.HS256);
    return true;
  } catch {
    return false;
  }
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function safeClaims(token: string): Record<string, unknown> {
  try {
    const { iss, sub, aud, tnt } = decodeJwt(token);
    return { iss, sub, aud, tnt };
  } catch {
    return {};
  }
}
