import { randomUUID } from 'node:crypto';
import { FORGE_LIFECYCLE_PATHS, type ForgeLifecycleEvent } from 'atlassian-connect-next/forge';
import type { EmulatorHandle } from '../lib/extension';
import type { Product, Site } from '../lib/state';
import { installationAri, newForgeKey, signInvocationToken, type ForgeKey } from './invocation-tokens';
import { ForgeProductTokens } from './product-tokens';

/**
 * A Forge-adopted ("Connect on Forge") site, as the platform behaves after adoption:
 * https://developer.atlassian.com/platform/adopting-forge-from-connect/limitations-and-differences
 * - the switch drops the Connect installation without `uninstalled` and shows as a new Forge
 *   installation (`avi:forge:installed:app` to the remote, with a Forge invocation token);
 * - `enabled`/`disabled` are no longer sent;
 * - automatic (minor) updates send nothing; a major version sends `avi:forge:upgraded:app`
 *   (https://developer.atlassian.com/platform/forge/events-reference/life-cycle/);
 * - remote calls carry `Authorization: Bearer <FIT>` signed by the emulator's own JWKS, and the
 *   product tokens `x-forge-oauth-system` / `x-forge-oauth-user` for the API base URL the FIT
 *   names in `app.apiBaseUrl` (served by this emulator at `/ex/<product>/<cloudId>`, see gateway.ts).
 */

export interface AdoptedState {
  adopted: boolean;
  installationId?: string;
  adoptedAt?: string;
  appVersion: string;
}

export interface ForgeCall {
  at: string;
  product: Product;
  kind: string;
  path: string;
  status: number;
  response: string;
}

export interface InvokeInput {
  product?: Product;
  path: string;
  method?: string;
  body?: unknown;
  /** A backend invocation (event, resolver without a UI): no context, no principal. */
  backend?: boolean;
}

/** Until Forge ids are set, the emulator and the app agree on this one (set FORGE_APP_ID to it). */
export const EMULATOR_FORGE_APP_ID = '7e57f0e9-0000-4000-8000-00000000f0e9';

export class ForgeSide {
  readonly appId: string;
  keys: ForgeKey[] = [];
  readonly sites: Record<Product, AdoptedState> = { jira: { adopted: false, appVersion: '1.0.0' }, confluence: { adopted: false, appVersion: '1.0.0' } };
  readonly calls: ForgeCall[] = [];
  readonly productTokens: ForgeProductTokens;

  constructor(
    private readonly emu: EmulatorHandle,
    appId?: string,
  ) {
    this.appId = appId ?? EMULATOR_FORGE_APP_ID;
    this.productTokens = new ForgeProductTokens(() => emu.now());
  }

  /** The site's API base URL as Forge gives it to the remote (Atlassian's: `https://api.atlassian.com/ex/<product>/<cloudId>`). */
  apiBaseUrl(site: Site): string {
    return `${this.emu.url}/ex/${site.product}/${site.cloudId}`;
  }

  /**
   * The product tokens of one invocation: a system token always (every endpoint of the app's
   * manifest asks for it), a user token on UI invocations with a signed-in user who has access.
   */
  private async productTokenHeaders(site: Site, st: AdoptedState, accountId: string | undefined): Promise<Record<string, string>> {
    const base = { installationId: st.installationId!, cloudId: site.cloudId, product: site.product };
    const headers: Record<string, string> = { 'x-forge-oauth-system': await this.productTokens.issue({ ...base, kind: 'system' }) };
    if (accountId && this.productTokens.hasAccess(site.cloudId, accountId)) {
      headers['x-forge-oauth-user'] = await this.productTokens.issue({ ...base, kind: 'user', accountId });
    }
    return headers;
  }

  /** A product token as an invocation would carry it (tests of the gateway's checks). */
  issueProductToken(product: Product, kind: 'system' | 'user', accountId?: string, ttlSeconds?: number): Promise<string> {
    const site = this.emu.site(product);
    const st = this.requireAdopted(product);
    return this.productTokens.issue({ kind, installationId: st.installationId!, cloudId: site.cloudId, product, ...(kind === 'user' ? { accountId: accountId ?? this.emu.actingAccountId() } : {}) }, ttlSeconds);
  }

  async init(): Promise<void> {
    if (!this.keys.length) this.keys = [await newForgeKey()];
  }

  jwks(): { keys: object[] } {
    return { keys: this.keys.map((k) => k.jwk) };
  }

  /** A new signing key, published at once; the previous one stays in the JWKS (rotation). */
  async rotateKey(): Promise<string> {
    const key = await newForgeKey();
    this.keys = [key, ...this.keys].slice(0, 2);
    return key.kid;
  }

  private record(call: Omit<ForgeCall, 'at'>): ForgeCall {
    const c = { at: new Date().toISOString(), ...call };
    this.calls.push(c);
    if (this.calls.length > 100) this.calls.shift();
    return c;
  }

  private token(site: Site, st: AdoptedState, ui: boolean, moduleKey: string): Promise<string> {
    const viewer = (this.emu as Partial<{ viewer: { license: string } }>).viewer;
    const lic = viewer?.license ?? 'active';
    return signInvocationToken({
      key: this.keys[0]!,
      appId: this.appId,
      installationId: st.installationId!,
      cloudId: site.cloudId,
      product: site.product,
      ...(ui ? { siteUrl: site.baseUrl, accountId: this.emu.actingAccountId() } : {}),
      apiBaseUrl: this.apiBaseUrl(site),
      license: lic === 'absent' ? undefined : { isActive: lic !== 'none', isEvaluation: lic === 'evaluation' },
      module: ui ? { type: 'xen:macro', key: moduleKey } : { type: 'core:endpoint', key: moduleKey },
    });
  }

  private async send(site: Site, kind: string, path: string, init: { method: string; body?: unknown; ui: boolean; timeoutMs: number; moduleKey: string }): Promise<ForgeCall> {
    const st = this.sites[site.product];
    let status = 0;
    let response = '';
    try {
      const res = await fetch(this.emu.appUrl + path, {
        method: init.method,
        headers: {
          authorization: `Bearer ${await this.token(site, st, init.ui, init.moduleKey)}`,
          ...(await this.productTokenHeaders(site, st, init.ui ? this.emu.actingAccountId() : undefined)),
          'content-type': 'application/json',
          'x-b3-traceid': randomUUID().replace(/-/g, '').slice(0, 16),
          'x-b3-spanid': randomUUID().replace(/-/g, '').slice(0, 16),
        },
        ...(init.method === 'GET' || init.method === 'DELETE' ? {} : { body: JSON.stringify(init.body ?? {}) }),
        signal: AbortSignal.timeout(init.timeoutMs),
        redirect: 'manual',
      });
      status = res.status;
      response = (await res.text()).slice(0, 2000);
    } catch (err) {
      response = `request failed: ${(err as Error).message}`;
    }
    return this.record({ product: site.product, kind, path, status, response });
  }

  private lifecycleEvent(site: Site, event: ForgeLifecycleEvent): Promise<ForgeCall> {
    const st = this.sites[site.product];
    const payload = {
      id: st.installationId!.split('/').pop(),
      [event === 'installed' ? 'installerAccountId' : 'upgraderAccountId']: this.emu.actingAccountId(),
      app: { id: this.appId, version: st.appVersion },
      environment: { id: `${this.appId}-production` },
    };
    // Events and triggers: POST, 5 s timeout (https://developer.atlassian.com/platform/forge/remote/essentials/).
    return this.send(site, `avi:forge:${event}:app`, FORGE_LIFECYCLE_PATHS[event], {
      method: 'POST',
      body: { eventType: `avi:forge:${event}:app`, payload },
      ui: false,
      timeoutMs: 5_000,
      moduleKey: `forge-${event}-remote`,
    });
  }

  /** Connect → Forge: no `uninstalled`, a new Forge installation, `avi:forge:installed:app`. */
  async adopt(product: Product): Promise<ForgeCall> {
    const site = this.emu.site(product);
    if (!site.installed) throw new Error('install the Connect app first: only an installed app is adopted');
    const st = this.sites[product];
    if (st.adopted) throw new Error('this site already runs the Forge version');
    Object.assign(st, { adopted: true, installationId: installationAri(), adoptedAt: new Date().toISOString(), appVersion: '2.0.0' });
    // Forge apps are never "disabled" on the site; the app is not told (no `enabled` either).
    site.enabled = true;
    return this.lifecycleEvent(site, 'installed');
  }

  /** An automatic update: minor sends nothing at all; major sends `avi:forge:upgraded:app`. */
  async update(product: Product, kind: 'minor' | 'major'): Promise<ForgeCall | { kind: 'minor'; sent: false }> {
    const st = this.requireAdopted(product);
    const [major, minor] = st.appVersion.split('.').map(Number) as [number, number];
    st.appVersion = kind === 'major' ? `${major + 1}.0.0` : `${major}.${minor + 1}.0`;
    if (kind === 'minor') {
      this.record({ product, kind: 'minor update', path: '', status: 0, response: 'no callback (minor updates roll out silently)' });
      return { kind, sent: false };
    }
    return this.lifecycleEvent(this.emu.site(product), 'upgraded');
  }

  /** A call to the app's remote with a Forge invocation token (remote resolver / invokeRemote). */
  async invoke(input: InvokeInput): Promise<ForgeCall> {
    const product = input.product ?? 'jira';
    this.requireAdopted(product);
    if (!/^\/[A-Za-z0-9/_.~%-]*(\?[^#]*)?$/.test(input.path)) throw new Error('path must be an absolute path on the app');
    const method = (input.method ?? 'POST').toUpperCase();
    // UI invocations: 25 s timeout, context and principal; backend ones carry neither.
    return this.send(this.emu.site(product), `invoke ${method}`, input.path, {
      method,
      body: input.body,
      ui: !input.backend,
      timeoutMs: input.backend ? 5_000 : 25_000,
      moduleKey: 'forge-remote',
    });
  }

  /**
   * Uninstalling the app ends the Forge installation too (a later install is a Connect install
   * again, to be adopted anew). A Connect `installed` on an adopted site (reinstall, rename) keeps
   * the Forge installation: upgrades do not change installationId.
   */
  afterConnectLifecycle(event: string, site: Site, ok: boolean): void {
    const st = this.sites[site.product];
    if (st.adopted && ok && event === 'uninstalled') Object.assign(st, { adopted: false, installationId: undefined, adoptedAt: undefined });
  }

  private requireAdopted(product: Product): AdoptedState {
    const st = this.sites[product];
    if (!st.adopted) throw new Error('this site runs the Connect app: adopt it to Forge first');
    return st;
  }

  reset(): void {
    for (const st of Object.values(this.sites)) Object.assign(st, { adopted: false, installationId: undefined, adoptedAt: undefined, appVersion: '1.0.0' });
    this.calls.length = 0;
    this.productTokens.reset();
  }
}
