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
  key: string;
  name: I18nText;
  url?: string;
  [field: string]: unknown;
}

export type ModuleType =
  | 'jiraIssueGlances'
  | 'webPanels'
  | 'generalPages'
  | 'adminPages'
  | 'postInstallPage'
  | 'configurePage'
  | 'dynamicContentMacros'
  | 'jiraEntityProperties'
  | 'webhooks';

/** A `webhooks` entry: no key or name (see lib/connect/webhooks/subscription.ts). */
export interface WebhookModuleDefinition {
  event: string;
  url: string;
  filter?: string;
  excludeBody?: boolean;
  propertyKeys?: string[];
}

export interface AppDefinition {
  key: string;
  name: string;
  description: string;
  vendor: { name: string; url: string };
  scopes: Scope[];
  /** Single-object modules (configurePage, postInstallPage) are given as a one-element array. */
  modules: Partial<Record<Exclude<ModuleType, 'webhooks'>, ModuleDefinition[]>> & { webhooks?: WebhookModuleDefinition[] };
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

const SINGLE_OBJECT_MODULES = new Set<ModuleType>(['configurePage', 'postInstallPage']);

export function buildDescriptor(def: AppDefinition, baseUrl: string): Record<string, unknown> {
  const modules: Record<string, unknown> = {};
  for (const [type, list] of Object.entries(def.modules) as [ModuleType, unknown[]][]) {
    if (!list?.length) continue;
    modules[type] = SINGLE_OBJECT_MODULES.has(type) ? list[0] : list;
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
