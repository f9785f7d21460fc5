import { z } from 'zod';

/**
 * The app descriptor as the product reads it at install time, and the page modules the
 * emulator renders from it. https://developer.atlassian.com/cloud/jira/platform/connect-app-descriptor/
 */

const i18nText = z.object({ value: z.string(), i18n: z.string().optional() });
const moduleSchema = z.looseObject({ key: z.string().min(1), name: i18nText.optional(), url: z.string().optional() });
// https://developer.atlassian.com/cloud/jira/platform/modules/webhook/
const webhookSchema = z.looseObject({
  event: z.string().min(1),
  url: z.string().startsWith('/'),
  excludeBody: z.boolean().optional(),
  filter: z.string().optional(),
  propertyKeys: z.array(z.string()).optional(),
});

export const descriptorSchema = z.looseObject({
  key: z.string().min(1).max(64),
  name: z.string().min(1),
  baseUrl: z.url(),
  authentication: z.object({ type: z.string() }),
  lifecycle: z
    .object({
      installed: z.string().optional(),
      uninstalled: z.string().optional(),
      enabled: z.string().optional(),
      disabled: z.string().optional(),
    })
    .default({}),
  scopes: z.array(z.string()).default([]),
  enableLicensing: z.boolean().optional(),
  apiMigrations: z.record(z.string(), z.boolean()).optional(),
  translations: z.object({ paths: z.record(z.string(), z.string()) }).optional(),
  modules: z
    .object({ webhooks: z.array(webhookSchema).optional() })
    .catchall(z.union([z.array(moduleSchema), moduleSchema]))
    .default({}),
});

/** The descriptor's `webhooks` entries (no key or name). */
export type WebhookEntry = z.infer<typeof webhookSchema>;

export function webhookEntries(d: AppDescriptor): WebhookEntry[] {
  return d.modules.webhooks ?? [];
}

export type AppDescriptor = z.infer<typeof descriptorSchema>;

export type PageKind = 'issue-panel' | 'issue-glance' | 'general' | 'admin' | 'macro';

export interface ModuleRef {
  type: string;
  kind: PageKind;
  key: string;
  name: { value: string; i18n?: string };
  /** URL template relative to the app's baseUrl, e.g. `/panel?issueKey={issue.key}`. */
  url: string;
  location?: string;
  weight: number;
}

const KIND_BY_TYPE: Record<string, PageKind> = {
  webPanels: 'issue-panel',
  jiraIssueGlances: 'issue-glance',
  generalPages: 'general',
  adminPages: 'admin',
  configurePage: 'admin',
  postInstallPage: 'general',
  dynamicContentMacros: 'macro',
};

/** Every page module the emulator can render, with its URL template. */
export function listModules(d: AppDescriptor): ModuleRef[] {
  const out: ModuleRef[] = [];
  for (const [type, value] of Object.entries(d.modules)) {
    const kind = KIND_BY_TYPE[type];
    if (!kind || !value) continue;
    for (const m of (Array.isArray(value) ? value : [value]) as z.infer<typeof moduleSchema>[]) {
      const target = (m as { target?: { url?: unknown } }).target;
      const url = kind === 'issue-glance' && typeof target?.url === 'string' ? target.url : m.url;
      if (!url) continue;
      // Web panels outside the issue view (e.g. project pages) are not emulated.
      const location = typeof m.location === 'string' ? m.location : undefined;
      if (kind === 'issue-panel' && location && !location.startsWith('atl.jira.view.issue')) continue;
      out.push({
        type,
        kind,
        key: m.key,
        name: m.name ?? { value: m.key },
        url,
        location,
        weight: typeof m.weight === 'number' ? m.weight : 100,
      });
    }
  }
  return out.sort((a, b) => a.weight - b.weight);
}

export function findModule(d: AppDescriptor, key: string): ModuleRef | undefined {
  return listModules(d).find((m) => m.key === key);
}

/** Fetches and validates `/atlassian-connect.json`, as the product does on install. */
export async function fetchDescriptor(appUrl: string, timeoutMs = 10_000): Promise<AppDescriptor> {
  const url = `${appUrl.replace(/\/+$/, '')}/atlassian-connect.json`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`descriptor ${url} answered ${res.status}`);
  const parsed = descriptorSchema.safeParse(await res.json());
  if (!parsed.success) {
    throw new Error(`descriptor invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (parsed.data.authentication.type.toLowerCase() !== 'jwt') throw new Error('descriptor authentication.type must be jwt');
  return parsed.data;
}

/**
 * Connect translation files are keyed by locale (`de-DE`, `de_DE`, `pt-BR` or just `de`); pick
 * the file for an app locale by exact tag, then by language.
 */
export function translationKeyFor(paths: Record<string, string>, locale: string): string | undefined {
  const norm = (tag: string) => tag.replace(/_/g, '-').toLowerCase();
  const want = norm(locale);
  const keys = Object.keys(paths);
  return keys.find((k) => norm(k) === want) ?? keys.find((k) => norm(k).split('-')[0] === want.split('-')[0]);
}

/** The module's name in the viewer's locale, falling back to its default value. */
export function moduleName(
  m: Pick<ModuleRef, 'name'>,
  translations: Record<string, Record<string, string>>,
  paths: Record<string, string> | undefined,
  locale: string,
): string {
  if (!m.name.i18n || !paths) return m.name.value;
  const key = translationKeyFor(paths, locale);
  return (key && translations[key]?.[m.name.i18n]) || m.name.value;
}
