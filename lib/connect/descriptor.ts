/**
 * The Connect app descriptor, built from typed definitions (the same ones the Forge manifest
 * generator reads), never hand-edited JSON.
 * https://developer.atlassian.com/cloud/jira/platform/connect-app-descriptor/
 */

export type Scope = 'READ' | 'WRITE' | 'DELETE' | 'PROJECT_ADMIN' | 'ADMIN' | 'ACT_AS_USER' | 'ACCESS_EMAIL_ADDRESSES';

export interface I18nText {
  value: string;
  i18n?: string;
}

export type ModuleCondition =
  | { condition: string; params?: Record<string, string>; invert?: boolean }
  | { and: ModuleCondition[] }
  | { or: ModuleCondition[] };

/** A module entry as Connect expects it; `url` is a template relative to baseUrl. */
export interface ModuleDefinition {
  /** Required by every module kind except `webhooks`. */
  key?: string;
  name?: I18nText;
  url?: string;
  [field: string]: unknown;
}

export type Product = 'jira' | 'confluence';

/** How the descriptor and the Forge manifest treat a module kind. */
export interface ModuleKind {
  /** Products that have this module kind (Connect module reference per product). */
  products: readonly Product[];
  /** One object rather than an array in the descriptor (configurePage, postInstallPage). */
  single?: boolean;
}

/**
 * The module kinds the framework knows. Any other kind an app uses is declared in its
 * AppDefinition's `moduleKinds`: a new module kind never means editing the framework.
 * https://developer.atlassian.com/cloud/jira/platform/about-jira-modules/
 */
export const MODULE_KINDS = {
  jiraIssueGlances: { products: ['jira'] },
  webPanels: { products: ['jira', 'confluence'] },
  generalPages: { products: ['jira', 'confluence'] },
  adminPages: { products: ['jira', 'confluence'] },
  postInstallPage: { products: ['jira', 'confluence'], single: true },
  configurePage: { products: ['jira', 'confluence'], single: true },
  dynamicContentMacros: { products: ['confluence'] },
  // Entity properties searchable in JQL (the module's shape: entity-properties.ts).
  jiraEntityProperties: { products: ['jira'] },
  webhooks: { products: ['jira', 'confluence'] },
} as const satisfies Record<string, ModuleKind>;

export type KnownModuleType = keyof typeof MODULE_KINDS;
export type ModuleType = KnownModuleType | (string & {});

export interface AppDefinition {
  key: string;
  name: string;
  description: string;
  vendor: { name: string; url: string };
  scopes: Scope[];
  /** Single-object modules (configurePage, postInstallPage) are given as a one-element array. */
  modules: Partial<Record<ModuleType, ModuleDefinition[]>>;
  /** Module kinds beyond MODULE_KINDS that this app uses. */
  moduleKinds?: Record<string, ModuleKind>;
  /** Locale → URL of a JSON file of i18n keys for module names. */
  translations?: Record<string, string>;
  links?: { self?: string; documentation?: string; privacy?: string; security?: string };
}

export const LIFECYCLE_PATHS = {
  installed: '/lifecycle/installed',
  uninstalled: '/lifecycle/uninstalled',
  enabled: '/lifecycle/enabled',
  disabled: '/lifecycle/disabled',
} as const;

export type LifecycleEventName = keyof typeof LIFECYCLE_PATHS;

/** The kind of a module type, from the framework's table or the app's own; unknown kinds are a programming error. */
export function moduleKind(def: Pick<AppDefinition, 'moduleKinds'>, type: string): ModuleKind {
  const kind = def.moduleKinds?.[type] ?? (MODULE_KINDS as Record<string, ModuleKind>)[type];
  if (!kind) throw new Error(`unknown Connect module kind "${type}": declare it in the app definition's moduleKinds`);
  return kind;
}

export function buildDescriptor(def: AppDefinition, baseUrl: string): Record<string, unknown> {
  const modules: Record<string, unknown> = {};
  for (const [type, list] of Object.entries(def.modules) as [string, ModuleDefinition[] | undefined][]) {
    if (!list?.length) continue;
    const kind = moduleKind(def, type);
    if (kind.single && list.length > 1) throw new Error(`module kind ${type} takes one module, got ${list.length}`);
    modules[type] = kind.single ? list[0] : list;
  }
  return {
    key: def.key,
    name: def.name,
    description: def.description,
    vendor: def.vendor,
    baseUrl,
    links: { self: `${baseUrl}/atlassian-connect.json`, ...def.links },
    authentication: { type: 'jwt' },
    lifecycle: { ...LIFECYCLE_PATHS },
    apiVersion: 1,
    apiMigrations: { 'signed-install': true, 'context-qsh': true, gdpr: true },
    enableLicensing: true,
    scopes: [...def.scopes],
    ...(def.translations ? { translations: { paths: def.translations } } : {}),
    modules,
  };
}
