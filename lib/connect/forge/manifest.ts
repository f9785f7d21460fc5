import { buildDescriptor, LIFECYCLE_PATHS, moduleKind, type AppDefinition, type Product, type Scope } from '../descriptor';
import { appAri } from './app-id';
import { FORGE_LIFECYCLE_PATHS, type ForgeLifecycleEvent } from './lifecycle-paths';

/**
 * The Forge `manifest.yml` for "Connect on Forge", built from the same AppDefinition as the
 * Connect descriptor (it literally builds the descriptor first and converts that), so the two
 * can never drift. The shape follows what Atlassian's `@atlassian/connect-to-forge` converter
 * writes: `app.connect.{key,remote,authentication}`, one `remotes` entry named by
 * `app.connect.remote` whose `baseUrl` is the app's base URL, `connectModules` keyed
 * `<product>:<descriptorModuleType>` (single-object modules wrapped in a one-element array), the
 * lifecycle URLs as one `<product>:lifecycle` entry keyed `lifecycle-events`, translations as
 * `<product>:translations` keyed `connect-translations`, and Connect scopes as
 * `<scope>:connect-<product>`.
 *
 * Sources:
 * - https://developer.atlassian.com/platform/forge/manifest-reference (connectModules: "Names and
 *   fields map 1:1 to Connect descriptor modules", populated by @atlassian/connect-to-forge)
 * - https://developer.atlassian.com/platform/adopting-forge-from-connect/how-to-adopt
 * - https://developer.atlassian.com/platform/forge/manifest-reference/remotes/
 * - the `@forge/manifest` package: the `connect-<product>:<module>` names it accepts
 *   (out/types/module-types.js) and the `*:connect-jira|confluence` scopes it knows
 *   (out/scopes/shipyard-scopes.json); lib/connect/forge/manifest.test.ts checks against both.
 * - https://developer.atlassian.com/platform/forge/remote/sending-product-events/ (lifecycle
 *   events delivered to a remote through `trigger` + `endpoint` modules)
 * - https://developer.atlassian.com/platform/forge/remote/calling-product-apis/ and
 *   https://developer.atlassian.com/platform/forge/manifest-reference/scopes-forge/: an endpoint's
 *   `auth.appSystemToken` / `auth.appUserToken` make Forge send `x-forge-oauth-system` /
 *   `x-forge-oauth-user` with each call, given the scopes `read:app-system-token` /
 *   `read:app-user-token`. The schema (`EndpointAuth`) spells them `{ enabled: true }`. Events and
 *   lifecycle triggers have no user, so their endpoints ask for the system token only.
 */

export type ForgeProduct = Product;

export type ForgeRuntime = 'nodejs22.x' | 'nodejs24.x';

export interface ForgeManifestOptions {
  /** The Forge app id: a UUID or the full `ari:cloud:ecosystem::app/<uuid>`. */
  appId: string;
  /** The Atlassian product the Connect app is listed for. */
  product: ForgeProduct;
  /** The app's public base URL (https), the same one the descriptor is served with. */
  baseUrl: string;
  /** Key of the `remotes` entry that serves the Connect modules (≤ 23 chars). */
  remoteKey?: string;
  /** Forge runtime; required by the schema even when the app has no Forge functions. */
  runtime?: ForgeRuntime;
  /**
   * Deliver Forge lifecycle events (`avi:forge:installed:app`, `avi:forge:upgraded:app`) to the
   * remote with a Forge invocation token. Paths default to FORGE_LIFECYCLE_PATHS; false: none.
   */
  forgeLifecycle?: false | Partial<Record<ForgeLifecycleEvent, string>>;
  /**
   * Remote resolver endpoints (invokeRemote from a UI module): each gets both product tokens,
   * so the remote can call the product as the app and as the calling user.
   */
  remoteEndpoints?: { key: string; path: string }[];
}

export interface ForgeEndpointAuth {
  appSystemToken?: { enabled: boolean };
  appUserToken?: { enabled: boolean };
}

export interface ForgeEndpoint {
  key: string;
  remote: string;
  route: { path: string };
  auth?: ForgeEndpointAuth;
}

/** Forge scopes that let the platform hand the remote its product tokens. */
export const FORGE_TOKEN_SCOPES = { system: 'read:app-system-token', user: 'read:app-user-token' } as const;

export interface ForgeManifest {
  app: {
    id: string;
    runtime: { name: ForgeRuntime };
    connect: { key: string; remote: string; authentication: 'jwt' };
    licensing?: { enabled: boolean };
  };
  remotes: { key: string; baseUrl: string }[];
  permissions: { scopes: string[] };
  connectModules: Record<string, Record<string, unknown>[]>;
  modules?: {
    trigger?: { key: string; events: string[]; endpoint: string }[];
    endpoint: ForgeEndpoint[];
  };
}

/** Connect scope → Forge scope, per product; a scope the product does not have is an error. */
const SCOPE_NAMES: Record<Scope | 'SPACE_ADMIN', string> = {
  READ: 'read',
  WRITE: 'write',
  DELETE: 'delete',
  PROJECT_ADMIN: 'project-admin',
  SPACE_ADMIN: 'space-admin',
  ADMIN: 'admin',
  ACT_AS_USER: 'act-as-user',
  ACCESS_EMAIL_ADDRESSES: 'access-email-addresses',
};
const PRODUCT_ONLY: Partial<Record<keyof typeof SCOPE_NAMES, ForgeProduct>> = {
  PROJECT_ADMIN: 'jira',
  SPACE_ADMIN: 'confluence',
};

export function forgeScope(scope: Scope | 'SPACE_ADMIN', product: ForgeProduct): string {
  const only = PRODUCT_ONLY[scope];
  if (only && only !== product) throw new Error(`Connect scope ${scope} does not exist for ${product}`);
  const name = SCOPE_NAMES[scope];
  if (!name) throw new Error(`unknown Connect scope ${String(scope)}`);
  return `${name}:connect-${product}`;
}

const REMOTE_KEY = /^[a-zA-Z0-9_-]{1,23}$/;
const MODULE_KEY = /^[a-zA-Z0-9_-]+$/;

export function buildForgeManifest(def: AppDefinition, opts: ForgeManifestOptions): ForgeManifest {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  if (!/^https:\/\//.test(baseUrl)) throw new Error(`Forge remotes need an https base URL (got ${baseUrl})`);
  const remote = opts.remoteKey ?? 'connect';
  if (!REMOTE_KEY.test(remote)) throw new Error(`remote key ${remote} must match ${REMOTE_KEY}`);
  const { product } = opts;
  const descriptor = buildDescriptor(def, baseUrl) as {
    key: string;
    enableLicensing: boolean;
    scopes: Scope[];
    lifecycle: Record<string, string>;
    translations?: { paths: Record<string, string> };
    modules: Record<string, unknown>;
  };

  const connectModules: ForgeManifest['connectModules'] = {};
  for (const [type, value] of Object.entries(descriptor.modules)) {
    if (!moduleKind(def, type).products.includes(product)) throw new Error(`Connect module type ${type} is not available in ${product}`);
    const list = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
    // Connect webhooks have no key; the converter numbers them (webhook-1, webhook-2, ...).
    connectModules[`${product}:${type}`] = list.map((m, i) => ({ ...m, key: m.key ?? `${type === 'webhooks' ? 'webhook' : type}-${i + 1}` }));
  }
  connectModules[`${product}:lifecycle`] = [{ key: 'lifecycle-events', ...descriptor.lifecycle }];
  if (descriptor.translations) {
    connectModules[`${product}:translations`] = [{ key: 'connect-translations', paths: descriptor.translations.paths }];
  }
  for (const [name, list] of Object.entries(connectModules)) {
    for (const m of list) {
      if (typeof m.key !== 'string' || !MODULE_KEY.test(m.key)) throw new Error(`${name}: module key ${String(m.key)} must match ${MODULE_KEY}`);
    }
  }

  const manifest: ForgeManifest = {
    app: {
      id: appAri(opts.appId),
      runtime: { name: opts.runtime ?? 'nodejs22.x' },
      connect: { key: descriptor.key, remote, authentication: 'jwt' },
      licensing: { enabled: descriptor.enableLicensing },
    },
    remotes: [{ key: remote, baseUrl }],
    permissions: { scopes: descriptor.scopes.map((s) => forgeScope(s, product)) },
    connectModules,
  };

  const endpoint: ForgeEndpoint[] = [];
  const both: ForgeEndpointAuth = { appSystemToken: { enabled: true }, appUserToken: { enabled: true } };
  for (const e of opts.remoteEndpoints ?? []) {
    if (!MODULE_KEY.test(e.key)) throw new Error(`endpoint key ${e.key} must match ${MODULE_KEY}`);
    if (!e.path.startsWith('/')) throw new Error(`endpoint ${e.key}: route path must start with "/"`);
    endpoint.push({ key: e.key, remote, route: { path: e.path }, auth: both });
  }
  if (opts.forgeLifecycle !== false) {
    const paths = { ...FORGE_LIFECYCLE_PATHS, ...opts.forgeLifecycle };
    const events = Object.keys(paths) as ForgeLifecycleEvent[];
    endpoint.push(...events.map((e) => ({ key: `forge-${e}-remote`, remote, route: { path: paths[e] }, auth: { appSystemToken: { enabled: true } } })));
    manifest.modules = { trigger: events.map((e) => ({ key: `forge-${e}`, events: [`avi:forge:${e}:app`], endpoint: `forge-${e}-remote` })), endpoint };
  } else if (endpoint.length) {
    manifest.modules = { endpoint };
  }
  if (endpoint.some((e) => e.auth?.appSystemToken?.enabled)) manifest.permissions.scopes.push(FORGE_TOKEN_SCOPES.system);
  if (endpoint.some((e) => e.auth?.appUserToken?.enabled)) manifest.permissions.scopes.push(FORGE_TOKEN_SCOPES.user);
  return manifest;
}

/** The descriptor lifecycle paths every manifest must carry (for tests and the CLI summary). */
export const CONNECT_LIFECYCLE_PATHS = LIFECYCLE_PATHS;
