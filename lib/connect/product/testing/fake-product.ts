import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, jwtVerify } from 'jose';
import { computeQsh } from '../../qsh';
import { json, routeRequest } from './fake-routes';

/**
 * A small product site over real HTTP for tests and the client benchmark: verifies what the
 * product verifies (app JWT with qsh relative to the site's baseUrl; OAuth bearer tokens it
 * issued through its own `/oauth2/token` JWT bearer grant) and injects faults (latency,
 * 429 + Retry-After, 503, random errors, dropped connections). Not for production use.
 */

export interface FakeSite {
  clientKey: string;
  appKey: string;
  sharedSecret: string;
  oauthClientId: string;
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
  latencyMs?: number;
  /** Close the socket without an answer. */
  drop?: boolean;
  /** How many matching requests it affects; undefined = until cleared. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path relative to the site's base path. */
  path: string;
  fullPath: string;
  query: URLSearchParams;
  auth: 'jwt' | 'bearer' | 'none';
  accountId?: string;
  at: number;
}

interface UserToken {
  accountId: string;
  scopes: string[];
  expiresAt: number;
}

export class FakeProduct {
  readonly requests: RecordedRequest[] = [];
  /** Why requests were refused (401): tests assert this stays empty. */
  readonly authFailures: string[] = [];
  readonly grants: { accountId: string; scopes: string[] }[] = [];
  users = new Map<string, { displayName: string; timeZone?: string }>([['user-1', { displayName: 'Ada Lovelace', timeZone: 'Europe/London' }]]);
  admins = new Set<string>(['admin-1']);
  issues = new Map<string, { id: string; key: string; summary: string }>([['10001', { id: '10001', key: 'ABC-1', summary: 'First issue' }]]);
  license: Record<string, unknown> | null = { active: true, type: 'commercial', evaluation: false };
  /** Lifetime of issued access tokens, seconds. */
  tokenTtlSeconds = 900;
  /** Added to every request. */
  latencyMs = 0;
  /** Fraction of requests answered with `errorStatus` (deterministic PRNG). */
  errorRate = 0;
  errorStatus = 503;
  /** Requests being handled right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  private faults: Fault[] = [];
  private tokens = new Map<string, UserToken>();
  private server?: Server;
  private port = 0;
  private seed = 42;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(
    readonly site: FakeSite,
    private readonly now: () => number = Date.now,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get baseUrl(): string {
    return `${this.origin}${this.site.basePath ?? ''}`;
  }

  /** The OAuth authorization server URL (the `aud` of assertions). */
  get authServerUrl(): string {
    return this.origin;
  }

  async start(port = this.port): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    this.server.on('connection', (s) => {
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
  }

  count(pathPrefix: string): number {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix)).length;
  }

  private random(): number {
    // mulberry32: reproducible "50 % errors" across runs
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readAll(req);
    if (url.pathname === '/oauth2/token' && method === 'POST') return this.grant(body, res);
    const base = this.site.basePath ?? '';
    // Resources outside the context path exist too (site-wide endpoints): served by the same routes.
    const path = base && url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length) : url.pathname;
    const rec: RecordedRequest = { method, path, fullPath: url.pathname, query: url.searchParams, auth: 'none', at: this.now() };
    this.requests.push(rec);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);

    const fault = this.takeFault(path);
    const latency = this.latencyMs + (fault?.latencyMs ?? 0);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (fault?.drop) return void req.socket.destroy();
    if (fault?.status) return json(res, fault.status, { errorMessages: ['injected'] }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    if (this.errorRate > 0 && this.random() < this.errorRate) return json(res, this.errorStatus, { errorMessages: ['injected error'] });

    const who = await this.authenticate(req, method, url);
    if ('error' in who) {
      this.authFailures.push(`${method} ${path}: ${who.error}`);
      return json(res, 401, { errorMessages: ['unauthorized'] });
    }
    rec.auth = who.kind;
    rec.accountId = who.accountId;
    return routeRequest(this, method, path, url.searchParams, body, who, res);
  }

  private takeFault(path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => !f.pathPrefix || path.startsWith(f.pathPrefix));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (f.times !== undefined && --f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async authenticate(req: IncomingMessage, method: string, url: URL): Promise<{ kind: 'jwt' | 'bearer'; accountId?: string } | { error: string }> {
    if (url.searchParams.has('jwt')) return { error: 'jwt in query string' };
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer (\S+)$/.exec(header)?.[1];
    if (bearer) {
      const t = this.tokens.get(bearer);
      if (!t) return { error: 'unknown bearer token' };
      if (t.expiresAt <= this.now()) return { error: 'expired bearer token' };
      return { kind: 'bearer', accountId: t.accountId };
    }
    const jwt = /^JWT (\S+)$/.exec(header)?.[1];
    if (!jwt) return { error: 'no Authorization: JWT' };
    try {
      const { payload } = await jwtVerify(jwt, new TextEncoder().encode(this.site.sharedSecret), {
        algorithms: ['HS256'],
        issuer: this.site.appKey,
        requiredClaims: ['iat', 'exp', 'qsh'],
        currentDate: new Date(this.now()),
      });
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > 180) return { error: 'token lives longer than 3 minutes' };
      const expected = computeQsh(method, url, this.baseUrl);
      if (payload.qsh !== expected) return { error: `qsh mismatch` };
      return { kind: 'jwt' };
    } catch (err) {
      return { error: `jwt: ${(err as Error).message}` };
    }
  }

  private async grant(body: string, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(res, 400, { error: 'unsupported_grant_type' });
    const assertion = form.get('assertion') ?? '';
    try {
      const { payload } = await jwtVerify(assertion, new TextEncoder().encode(this.site.sharedSecret), {
        algorithms: ['HS256'],
        issuer: `urn:atlassian:connect:clientid:${this.site.oauthClientId}`,
        audience: this.authServerUrl,
        currentDate: new Date(this.now()),
      });
      if (payload.tnt !== this.baseUrl) throw new Error(`tnt ${String(payload.tnt)} is not ${this.baseUrl}`);
      const sub = String(payload.sub ?? '');
      const prefix = 'urn:atlassian:connect:useraccountid:';
      if (!sub.startsWith(prefix)) throw new Error('sub');
      const accountId = sub.slice(prefix.length);
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const token = `tok-${this.grants.length + 1}-${accountId}`;
      this.grants.push({ accountId, scopes });
      this.tokens.set(token, { accountId, scopes, expiresAt: this.now() + this.tokenTtlSeconds * 1000 });
      return json(res, 200, { access_token: token, expires_in: this.tokenTtlSeconds, token_type: 'Bearer' });
    } catch (err) {
      this.authFailures.push(`grant: ${(err as Error).message} (${JSON.stringify(safeClaims(assertion))})`);
      return json(res, 401, { error: 'invalid_grant' });
    }
  }
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function safeClaims(token: string): Record<string, unknown> {
  try {
    const { iss, sub, aud, tnt } = decodeJwt(token);
    return { iss, sub, aud, tnt };
  } catch {
    return {};
  }
}
