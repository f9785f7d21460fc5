import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SITE_TIME_ZONE, userByKey, type EmuUser } from './directory';
import { createGdprExtension, PersonalDataReportingApi } from '../gdpr';
import { createIssuesExtension, type IssuesExtension } from '../issues';
import { loadForgeExtension, type EmulatorExtension, type EmulatorHandle } from './extension';
import * as lifecycle from './lifecycle';
import { parseRateLimitFault } from './faults';
import { OAuthTokens } from './oauth';
import { RateLimiter } from './rate-limits/limiter';
import { handleRequest, productRestRoute, type RestEntry } from './router';
import { InstallKeysServer, newInstallKeyPair, type InstallKeyPair } from './signing';
import {
  DEFAULT_SETTINGS,
  NO_FAULTS,
  PRODUCT_LOCALE,
  RingLog,
  mergeViewer,
  newSite,
  type Faults,
  type LifecycleRecord,
  type Product,
  type RestRecord,
  type Settings,
  type Site,
  type Viewer,
} from './state';

export interface EmulatorOptions {
  /** The app's base URL; its descriptor is read from `${appUrl}/atlassian-connect.json`. */
  appUrl: string;
  /** 0 = any free port. */
  port?: number;
  /** Port of the install-keys server; default port + 1 (or any free port when port is 0). */
  keysPort?: number;
  /** Interface to listen on. */
  listenHost?: string;
  /** Host name in the URLs the emulator hands out (the browser and the app use it). */
  publicHost?: string;
  /** Extra extensions; the Forge extension (emulator/forge/index.ts) is loaded automatically. */
  extensions?: EmulatorExtension[];
  /** Keeps the sites' clientKey/cloudId/oauthClientId across restarts (so app data stays attached). */
  stateFile?: string;
  quiet?: boolean;
  /** Where the emulator's log lines go (default stderr, nothing when `quiet`). */
  log?: (line: string) => void;
  /** The clock of the rate limits and their headers (ms since epoch); tests inject a fake one. */
  now?: () => number;
  /** Rate limits enforced from the start (the body of `POST /_emu/api/rate-limits`); default none. */
  rateLimits?: unknown;
}

export const DEFAULT_VIEWER: Viewer = { user: 'admin', locale: 'en', license: 'active' };

/** A local Jira + Confluence Cloud site that installs and frames one Connect app. */
export class Emulator implements EmulatorHandle {
  url = '';
  keysUrl = '';
  readonly appUrl: string;
  readonly keys = new InstallKeysServer();
  keyPair: InstallKeyPair = newInstallKeyPair();
  readonly tokens = new OAuthTokens();
  readonly lifecycleLog = new RingLog<LifecycleRecord>();
  readonly restLog = new RingLog<RestRecord>(500);
  sites!: Record<Product, Site>;
  viewer: Viewer = { ...DEFAULT_VIEWER };
  faults: Faults = { ...NO_FAULTS };
  settings: Settings = { ...DEFAULT_SETTINGS };
  extensions: EmulatorExtension[];
  /** Jira's points quota, burst and per-issue write limits (off unless configured). */
  readonly rateLimits: RateLimiter;
  readonly now: () => number;
  gdpr?: PersonalDataReportingApi;
  /** Issue deletes and moves with their webhooks, issue properties, JQL (emulator/issues). */
  issues!: IssuesExtension;
  private server?: Server;

  constructor(private readonly opts: EmulatorOptions) {
    this.appUrl = opts.appUrl.replace(/\/+$/, '');
    this.extensions = [...(opts.extensions ?? [])];
    this.now = opts.now ?? Date.now;
    this.rateLimits = new RateLimiter(this.now);
    if (opts.rateLimits !== undefined) this.rateLimits.configure(opts.rateLimits);
  }

  async start(): Promise<this> {
    const host = this.opts.listenHost ?? '127.0.0.1';
    const publicHost = this.opts.publicHost ?? 'localhost';
    this.keys.add(this.keyPair);
    const keysPort = this.opts.keysPort ?? (this.opts.port ? this.opts.port + 1 : 0);
    const keysUrl = await this.keys.start(keysPort, host);
    this.keysUrl = keysUrl.replace(host, publicHost);
    this.server = createServer((req, res) => {
      handleRequest(this, req, res).catch((err: unknown) => {
        this.log(`request failed: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('emulator error');
      });
    });
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 0, host, () => resolve());
    });
    this.url = `http://${publicHost}:${(this.server.address() as AddressInfo).port}`;
    this.sites = { jira: newSite('jira', this.url), confluence: newSite('confluence', `${this.url}/wiki`) };
    if (this.opts.stateFile) this.keepIdentities(this.opts.stateFile);
    // Atlassian's personal data reporting API (emulator/gdpr.ts), for every installed site.
    const gdpr = new PersonalDataReportingApi(() =>
      Object.values(this.sites)
        .filter((s) => s.installed && s.sharedSecret && s.descriptor)
        .map((s) => ({ baseUrl: s.baseUrl, sharedSecret: s.sharedSecret!, appKey: s.descriptor!.key })),
    );
    this.gdpr = gdpr;
    this.extensions.push(createGdprExtension(gdpr));
    this.issues = createIssuesExtension(this);
    this.extensions.push(this.issues);
    try {
      // Given explicitly (e.g. by scripts/stack, which runs where require() cannot load TypeScript)?
      const forge = this.extensions.some((e) => e.name === 'forge') ? undefined : await loadForgeExtension(this);
      if (forge) this.extensions.push(forge);
    } catch (err) {
      // A broken extension must not take the plain Connect emulator down with it.
      process.stderr.write(`[emulator] Forge extension not loaded: ${(err as Error).message}\n`);
    }
    try {
      for (const ext of this.extensions) await ext.start?.();
    } catch (err) {
      await this.stop();
      throw err;
    }
    return this;
  }

  async stop(): Promise<void> {
    for (const ext of this.extensions) await ext.stop?.();
    await this.keys.stop();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
  }

  private keepIdentities(file: string): void {
    type Ids = Record<Product, Pick<Site, 'clientKey' | 'cloudId' | 'oauthClientId'>>;
    if (existsSync(file)) {
      const ids = JSON.parse(readFileSync(file, 'utf8')) as Partial<Ids>;
      for (const p of ['jira', 'confluence'] as const) if (ids[p]) Object.assign(this.sites[p], ids[p]);
    }
    const pick = (s: Site) => ({ clientKey: s.clientKey, cloudId: s.cloudId, oauthClientId: s.oauthClientId });
    writeFileSync(file, JSON.stringify({ jira: pick(this.sites.jira), confluence: pick(this.sites.confluence) }, null, 2));
  }

  log(line: string): void {
    if (this.opts.log) this.opts.log(line);
    else if (!this.opts.quiet) process.stderr.write(`[emulator] ${line}\n`);
  }

  site(product: Product = 'jira'): Site {
    return this.sites[product];
  }

  actingUser(viewer: Viewer = this.viewer): EmuUser | undefined {
    return userByKey(viewer.user);
  }

  serveProductRest(req: IncomingMessage, res: ServerResponse, url: URL, site: Site, rel: string, entry: RestEntry): Promise<void> {
    return productRestRoute(this, req, res, url, site, rel, entry);
  }

  actingAccountId(): string | undefined {
    return this.actingUser()?.accountId;
  }

  productLocale(viewer: Viewer = this.viewer): string {
    return PRODUCT_LOCALE[viewer.locale];
  }

  timeZone(viewer: Viewer = this.viewer): string {
    return this.actingUser(viewer)?.timeZone ?? SITE_TIME_ZONE;
  }

  /** Applies switcher values; unknown values are ignored. Returns whether anything was given. */
  setViewer(input: Partial<Record<'user' | 'locale' | 'license', unknown>>): boolean {
    const { viewer, changed } = mergeViewer(this.viewer, input);
    this.viewer = viewer;
    return changed;
  }

  setFaults(input: Partial<Faults>): Faults {
    const f = { ...this.faults };
    const num = (v: unknown, min: number, max: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : undefined);
    f.latencyMs = num(input.latencyMs, 0, 120_000) ?? f.latencyMs;
    f.errorRate = num(input.errorRate, 0, 1) ?? f.errorRate;
    f.rateLimitRate = num(input.rateLimitRate, 0, 1) ?? f.rateLimitRate;
    f.retryAfterSeconds = num(input.retryAfterSeconds, 0, 3600) ?? f.retryAfterSeconds;
    f.failNext = Math.floor(num(input.failNext, 0, 1000) ?? f.failNext);
    if (typeof input.refuse === 'boolean') f.refuse = input.refuse;
    if (input.failNextKind === '503' || input.failNextKind === '429' || input.failNextKind === 'refuse') f.failNextKind = input.failNextKind;
    if (typeof input.pathPrefix === 'string') f.pathPrefix = input.pathPrefix;
    const rateLimit = parseRateLimitFault((input as Record<string, unknown>).rateLimit);
    if (rateLimit !== undefined) f.rateLimit = rateLimit;
    this.faults = f;
    return f;
  }

  private deps(): lifecycle.LifecycleDeps {
    return {
      appUrl: this.appUrl,
      keyPair: this.keyPair,
      extensions: this.extensions,
      record: (r) => this.lifecycleLog.push(r),
      onSecretChange: (site) => this.tokens.revokeSite(site.clientKey),
    };
  }

  install(product: Product = 'jira') {
    return lifecycle.install(this.deps(), this.site(product));
  }

  uninstall(product: Product = 'jira') {
    return lifecycle.uninstall(this.deps(), this.site(product));
  }

  enable(product: Product = 'jira') {
    return lifecycle.setEnabled(this.deps(), this.site(product), true);
  }

  disable(product: Product = 'jira') {
    return lifecycle.setEnabled(this.deps(), this.site(product), false);
  }

  /** Only URLs this server answers: loopback host, the emulator's port, any path. */
  changeBaseUrl(baseUrl: string, product: Product = 'jira') {
    const u = new URL(baseUrl);
    const own = new URL(this.url);
    if (u.protocol !== 'http:' || u.port !== own.port || !['localhost', '127.0.0.1'].includes(u.hostname) || u.search || u.hash) {
      throw new Error(`baseUrl must be http://localhost:${own.port}/… or http://127.0.0.1:${own.port}/…`);
    }
    const other = this.site(product === 'jira' ? 'confluence' : 'jira');
    if (new URL(other.baseUrl).pathname.replace(/\/+$/, '') === u.pathname.replace(/\/+$/, '')) {
      throw new Error('that path belongs to the other product');
    }
    return lifecycle.changeBaseUrl(this.deps(), this.site(product), baseUrl);
  }

  /** A new install signing key: later installs use a kid the app has not cached yet. */
  rotateInstallKey(): string {
    this.keyPair = newInstallKeyPair();
    this.keys.add(this.keyPair);
    return this.keyPair.kid;
  }

  /** Everything a test or the control page needs, without secrets (a fingerprint instead). */
  state(): Record<string, unknown> {
    const site = (s: Site) => ({
      product: s.product,
      clientKey: s.clientKey,
      cloudId: s.cloudId,
      oauthClientId: s.oauthClientId,
      baseUrl: s.baseUrl,
      installed: s.installed,
      enabled: s.enabled,
      installedAt: s.installedAt,
      appKey: s.descriptor?.key,
      sharedSecretFingerprint: s.sharedSecret ? createHash('sha256').update(s.sharedSecret).digest('hex').slice(0, 12) : null,
    });
    return {
      url: this.url,
      keysUrl: this.keysUrl,
      appUrl: this.appUrl,
      kid: this.keyPair.kid,
      sites: { jira: site(this.sites.jira), confluence: site(this.sites.confluence) },
      viewer: { ...this.viewer, accountId: this.actingAccountId() ?? null, productLocale: this.productLocale(), timeZone: this.timeZone() },
      faults: this.faults,
      rateLimits: this.rateLimits.config,
      settings: this.settings,
      oauthTokensIssued: this.tokens.issued,
      extensions: Object.fromEntries(this.extensions.map((e) => [e.name, e.state?.() ?? null])),
    };
  }

  async reset(): Promise<void> {
    this.viewer = { ...DEFAULT_VIEWER };
    this.faults = { ...NO_FAULTS };
    this.settings = { ...DEFAULT_SETTINGS };
    this.rateLimits.turnOff();
    this.restLog.clear();
    for (const ext of this.extensions) await ext.reset?.();
  }
}
