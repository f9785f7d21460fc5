import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createQueryStringHash, decodeSymmetric, fromMethodAndUrl, getAlgorithm, SymmetricAlgorithm } from 'atlassian-jwt';

/**
 * The product side of Atlassian's personal data reporting API, for the emulator and tests:
 * `POST {site}/app/report-accounts/` as the app (Connect JWT), at most 90 accounts, 200 with
 * `closed` / `updated` statuses or 204, 429 + Retry-After when throttled, and a Cycle-Period
 * header. https://developer.atlassian.com/cloud/jira/platform/user-privacy-developer-guide/
 *
 * Mount it in the emulator as an extension (`createGdprExtension(api)`: it answers only that
 * path), or run it alone over real HTTP (`startReportingServer(api)`). The JWT is checked with
 * atlassian-jwt, independently of the app's own signing code.
 */

export interface GdprSite {
  baseUrl: string;
  sharedSecret: string;
  /** The app key: `iss` of the app's tokens. */
  appKey: string;
}

export interface ReportCall {
  at: string;
  site: string;
  status: number;
  accountIds: string[];
  error?: string;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const MAX_ACCOUNTS = 90;
const PATH = '/app/report-accounts';

export class PersonalDataReportingApi {
  /** Accounts Atlassian reports as closed. */
  readonly closed = new Set<string>();
  /** Accounts whose profile changed at this time (reported `updated` if the app's copy is older). */
  readonly updated = new Map<string, Date>();
  /** Value of the Cycle-Period header (seconds); undefined leaves it out. */
  cyclePeriod: string | undefined = String(7 * 86_400);
  /** The next `count` requests answer 429 with this Retry-After. */
  throttle = { count: 0, retryAfterSeconds: 1 };
  readonly calls: ReportCall[] = [];

  constructor(private readonly sites: () => GdprSite[]) {}

  /** The site this path belongs to, when it is the reporting endpoint. */
  siteFor(pathname: string): GdprSite | undefined {
    return this.sites().find((s) => {
      const base = new URL(s.baseUrl).pathname.replace(/\/+$/, '');
      return pathname === `${base}${PATH}` || pathname === `${base}${PATH}/`;
    });
  }

  reset(): void {
    this.closed.clear();
    this.updated.clear();
    this.calls.length = 0;
    this.throttle = { count: 0, retryAfterSeconds: 1 };
  }

  answer(site: GdprSite, method: string, url: URL, authorization: string | undefined, rawBody: string, now = new Date()): Reply {
    const json = { 'content-type': 'application/json' };
    const record = (status: number, accountIds: string[] = [], error?: string) => {
      this.calls.push({ at: now.toISOString(), site: site.baseUrl, status, accountIds, error });
      if (this.calls.length > 1000) this.calls.splice(0, this.calls.length - 1000);
    };
    const fail = (status: number, error: string): Reply => {
      record(status, [], error);
      return { status, headers: json, body: { message: error } };
    };
    if (method !== 'POST') return fail(405, 'method not allowed');
    const authError = this.checkJwt(site, method, url, authorization, now);
    if (authError) return fail(401, authError);
    let accounts: { accountId: string; updatedAt: string }[];
    try {
      const body = JSON.parse(rawBody) as { accounts?: unknown };
      if (!Array.isArray(body.accounts)) throw new Error('accounts must be an array');
      accounts = body.accounts.map((a: { accountId?: unknown; updatedAt?: unknown }) => {
        if (typeof a?.accountId !== 'string' || !a.accountId) throw new Error('accountId required');
        if (typeof a.updatedAt !== 'string' || !Number.isFinite(Date.parse(a.updatedAt))) throw new Error('updatedAt must be RFC 3339');
        return { accountId: a.accountId, updatedAt: a.updatedAt };
      });
    } catch (err) {
      return fail(400, (err as Error).message);
    }
    if (accounts.length === 0 || accounts.length > MAX_ACCOUNTS) return fail(400, `between 1 and ${MAX_ACCOUNTS} accounts per request`);
    const ids = accounts.map((a) => a.accountId);
    if (this.throttle.count > 0) {
      this.throttle.count--;
      record(429, ids);
      return { status: 429, headers: { ...json, 'retry-after': String(this.throttle.retryAfterSeconds) }, body: { message: 'rate limited' } };
    }
    const cycle: Record<string, string> = this.cyclePeriod ? { 'cycle-period': this.cyclePeriod } : {};
    const actions = accounts.flatMap((a) => {
      if (this.closed.has(a.accountId)) return [{ accountId: a.accountId, status: 'closed' }];
      const changed = this.updated.get(a.accountId);
      return changed && changed.getTime() > Date.parse(a.updatedAt) ? [{ accountId: a.accountId, status: 'updated' }] : [];
    });
    if (actions.length === 0) {
      record(204, ids);
      return { status: 204, headers: cycle };
    }
    record(200, ids);
    return { status: 200, headers: { ...json, ...cycle }, body: { accounts: actions } };
  }

  /** HS256 with the site's secret, `iss` = app key, unexpired, qsh of exactly this request. */
  private checkJwt(site: GdprSite, method: string, url: URL, authorization: string | undefined, now: Date): string | undefined {
    if (url.searchParams.has('jwt')) return 'query-string JWT refused';
    const token = /^JWT\s+(\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) return 'Authorization: JWT required';
    let claims: { iss?: string; exp?: number; qsh?: string };
    try {
      if (getAlgorithm(token) !== 'HS256') return 'HS256 required';
      claims = decodeSymmetric(token, site.sharedSecret, SymmetricAlgorithm.HS256) as typeof claims;
    } catch {
      return 'bad signature';
    }
    if (claims.iss !== site.appKey) return 'iss is not the app key';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < now.getTime() - 30_000) return 'token expired';
    const expected = createQueryStringHash(fromMethodAndUrl(method, url.pathname + url.search), false, site.baseUrl);
    if (claims.qsh !== expected) return 'qsh does not match this request';
    return undefined;
  }

  /** node:http adapter: answers and returns true when the request is the reporting endpoint. */
  async handleNode(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const site = this.siteFor(url.pathname);
    if (!site) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 256_000) {
        res.writeHead(413).end();
        return true;
      }
      chunks.push(c as Buffer);
    }
    const r = this.answer(site, (req.method ?? 'GET').toUpperCase(), url, req.headers.authorization, Buffer.concat(chunks).toString('utf8'));
    res.writeHead(r.status, r.headers);
    res.end(r.body === undefined ? undefined : JSON.stringify(r.body));
    return true;
  }
}

/** The emulator extension (structurally an `EmulatorExtension` from emulator/lib/extension.ts). */
export function createGdprExtension(api: PersonalDataReportingApi) {
  return {
    name: 'gdpr',
    handle: (req: IncomingMessage, res: ServerResponse, url: URL) => api.handleNode(req, res, url),
    state: () => ({ closed: [...api.closed], updated: Object.fromEntries([...api.updated].map(([k, v]) => [k, v.toISOString()])), calls: api.calls.slice(-50) }),
    reset: () => api.reset(),
  };
}

/**
 * Serves the API alone on 127.0.0.1 (tests). `fallback` answers every other path (e.g. the
 * product's user endpoint).
 */
export async function startReportingServer(
  api: PersonalDataReportingApi,
  fallback?: (req: IncomingMessage, res: ServerResponse, url: URL) => void,
): Promise<{ url: string; server: Server; stop: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    api
      .handleNode(req, res, url)
      .then((handled) => {
        if (handled) return;
        if (fallback) fallback(req, res, url);
        else res.writeHead(404).end();
      })
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, server, stop: () => new Promise((r) => server.close(() => r())) };
}
