import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate as forgeLint, SUPPORTED_MODULES } from '@forge/manifest';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDescriptor, type AppDefinition } from '../descriptor';
import { appAri } from './app-id';
import { buildForgeManifest, FORGE_TOKEN_SCOPES, forgeScope, type ForgeManifest } from './manifest';
import { forgeManifestPackageFile, renderManifestYaml, validateForgeManifest } from './tooling';
import { FORGE_LIFECYCLE_PATHS } from './lifecycle-paths';

const APP_ID = '0b3f1a2c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const BASE_URL = 'https://checklists.example.com';
// A Jira app with modules of several kinds (arrays, the single-object configurePage, keyless webhooks), links
// and translations. (scripts/forge-manifest.test.ts checks the reference app's own manifest.)
const target = '/panel/issue?issueKey={issue.key}&issueId={issue.id}';
const def: AppDefinition = {
  key: 'com.example.checklists',
  name: 'Checklists',
  description: 'Checklists on Jira issues.',
  vendor: { name: 'V', url: 'https://v.example' },
  scopes: ['READ'],
  links: { privacy: '/privacy', security: '/security' },
  translations: { 'en-US': '/i18n/en.json', 'de-DE': '/i18n/de.json' },
  modules: {
    jiraIssueGlances: [
      {
        key: 'checklist-glance',
        name: { value: 'Checklist', i18n: 'checklist.glance.name' },
        icon: { width: 24, height: 24, url: '/icon.svg' },
        content: { type: 'label', label: { value: 'Checklist', i18n: 'checklist.glance.label' } },
        target: { type: 'web_panel', url: target },
        jiraNativeAppsEnabled: false,
      },
    ],
    webPanels: [{ key: 'checklist-panel', name: { value: 'Checklist', i18n: 'checklist.panel.name' }, url: target, location: 'atl.jira.view.issue.left.context', weight: 100 }],
    generalPages: [{ key: 'checklists-home', name: { value: 'Checklists' }, url: '/general', location: 'system.top.navigation.bar' }],
    adminPages: [{ key: 'checklists-admin', name: { value: 'Checklists settings' }, url: '/admin' }],
    configurePage: [{ key: 'checklists-configure', name: { value: 'Configure Checklists' }, url: '/admin' }],
    jiraEntityProperties: [
      {
        key: 'checklist-property',
        name: { value: 'Checklist' },
        entityType: 'issue',
        keyConfigurations: [{ propertyKey: 'com.example.checklists', extractions: [{ objectName: 'open', type: 'number', alias: 'checklistOpen' }] }],
      },
    ],
    webhooks: [
      { event: 'jira:issue_deleted', url: '/webhooks/issue-deleted?issueId=${issue.id}', excludeBody: true },
      { event: 'jira:issue_updated', url: '/webhooks/issue-updated' },
    ],
  },
};
const manifest = buildForgeManifest(def, { appId: APP_ID, product: 'jira', baseUrl: BASE_URL, remoteEndpoints: [{ key: 'forge-remote', path: '/forge/remote' }] });
const descriptor = buildDescriptor(def, BASE_URL) as {
  key: string;
  scopes: string[];
  lifecycle: Record<string, string>;
  translations?: { paths: Record<string, string> };
  modules: Record<string, unknown>;
};

// The Forge scopes Atlassian ships with the package (the list `forge lint` checks scopes against).
const shippedScopes = new Set(JSON.parse(readFileSync(forgeManifestPackageFile('scopes/shipyard-scopes.json'), 'utf8')) as string[]);

describe('Connect-on-Forge manifest', () => {
  it('validates against the JSON schema shipped in @forge/manifest', () => {
    const r = validateForgeManifest(manifest);
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('the schema check can fail (a remote key over 23 chars, a missing runtime)', () => {
    const bad = structuredClone(manifest) as unknown as { remotes: { key: string }[]; app: Record<string, unknown> };
    bad.remotes[0]!.key = 'x'.repeat(24);
    delete bad.app.runtime;
    const r = validateForgeManifest(bad);
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toMatch(/remotes\/0\/key/);
    expect(r.errors.join('\n')).toMatch(/runtime/);
  });

  it('passes the whole @forge/manifest validation (what `forge lint` runs) as a YAML file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'forge-manifest-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'manifest.yml');
    writeFileSync(file, renderManifestYaml(manifest, ['generated in a test']));
    expect(parse(readFileSync(file, 'utf8'))).toEqual(manifest);
    const result = await forgeLint(false, file);
    const errors = (result.errors ?? []).filter((e) => e.level === 'error');
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('identifies the app: id from configuration, Connect key, remote at the base URL', () => {
    expect(manifest.app.id).toBe(`ari:cloud:ecosystem::app/${APP_ID}`);
    expect(manifest.app.connect.key).toBe(descriptor.key);
    const remote = manifest.remotes.find((r) => r.key === manifest.app.connect.remote);
    expect(remote?.baseUrl).toBe(BASE_URL);
    expect(manifest.remotes).toHaveLength(1);
  });

  it('carries every descriptor module, and nothing else, as <product>:<type>', () => {
    const expected: Record<string, unknown[]> = {};
    for (const [type, value] of Object.entries(descriptor.modules)) expected[`jira:${type}`] = Array.isArray(value) ? value : [value];
    // Connect webhooks have no key: numbered the way Atlassian's converter does.
    expected['jira:webhooks'] = expected['jira:webhooks']!.map((w, i) => ({ ...(w as object), key: `webhook-${i + 1}` }));
    const { 'jira:lifecycle': _l, 'jira:translations': _t, ...modules } = manifest.connectModules;
    expect(modules).toEqual(expected);
    expect(Object.keys(manifest.connectModules).sort()).toEqual(
      [...Object.keys(expected), 'jira:lifecycle', ...(descriptor.translations ? ['jira:translations'] : [])].sort(),
    );
    // Sanity: the definition really has modules of several kinds, including a single-object one and keyless webhooks.
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['jira:webPanels', 'jira:jiraIssueGlances', 'jira:configurePage', 'jira:webhooks', 'jira:jiraEntityProperties']));
  });

  it('every connectModules name is one @forge/manifest accepts', () => {
    const accepted = new Set(SUPPORTED_MODULES.filter((m) => m.startsWith('connect-')).map((m) => m.slice('connect-'.length)));
    for (const name of Object.keys(manifest.connectModules)) expect(accepted, name).toContain(name);
  });

  it('carries every lifecycle URL of the descriptor in one lifecycle module', () => {
    const [lifecycle, ...rest] = manifest.connectModules['jira:lifecycle']!;
    expect(rest).toEqual([]);
    const { key, ...urls } = lifecycle!;
    expect(key).toBe('lifecycle-events');
    expect(urls).toEqual(descriptor.lifecycle);
    expect(manifest.connectModules['jira:translations']).toEqual([{ key: 'connect-translations', paths: descriptor.translations!.paths }]);
  });

  it('maps exactly the descriptor scopes, each to a scope @forge/manifest knows', () => {
    expect(manifest.permissions.scopes).toEqual([...descriptor.scopes.map((s) => `${s.toLowerCase().replace(/_/g, '-')}:connect-jira`), 'read:app-system-token', 'read:app-user-token']);
    for (const s of manifest.permissions.scopes) expect(shippedScopes, s).toContain(s);
  });

  it('maps every Connect scope per product, refusing ones the product lacks', () => {
    const all = ['READ', 'WRITE', 'DELETE', 'PROJECT_ADMIN', 'ADMIN', 'ACT_AS_USER', 'ACCESS_EMAIL_ADDRESSES'] as const;
    for (const s of all) expect(shippedScopes).toContain(forgeScope(s, 'jira'));
    for (const s of all.filter((x) => x !== 'PROJECT_ADMIN')) expect(shippedScopes).toContain(forgeScope(s, 'confluence'));
    expect(forgeScope('SPACE_ADMIN', 'confluence')).toBe('space-admin:connect-confluence');
    expect(shippedScopes).toContain('space-admin:connect-confluence');
    expect(() => forgeScope('PROJECT_ADMIN', 'confluence')).toThrow(/PROJECT_ADMIN/);
    expect(() => forgeScope('SPACE_ADMIN', 'jira')).toThrow(/SPACE_ADMIN/);
  });

  it('routes Forge lifecycle events to the remote (trigger + endpoint), and can leave them out', () => {
    expect(manifest.modules?.trigger).toEqual([
      { key: 'forge-installed', events: ['avi:forge:installed:app'], endpoint: 'forge-installed-remote' },
      { key: 'forge-upgraded', events: ['avi:forge:upgraded:app'], endpoint: 'forge-upgraded-remote' },
    ]);
    // Lifecycle events have no user: the system token only.
    expect(manifest.modules?.endpoint.slice(1)).toEqual([
      { key: 'forge-installed-remote', remote: 'connect', route: { path: FORGE_LIFECYCLE_PATHS.installed }, auth: { appSystemToken: { enabled: true } } },
      { key: 'forge-upgraded-remote', remote: 'connect', route: { path: FORGE_LIFECYCLE_PATHS.upgraded }, auth: { appSystemToken: { enabled: true } } },
    ]);
    const plain = buildForgeManifest(def, { appId: APP_ID, product: 'jira', baseUrl: BASE_URL, forgeLifecycle: false });
    expect(plain.modules).toBeUndefined();
    expect(plain.permissions.scopes).toEqual(['read:connect-jira']);
    expect(validateForgeManifest(plain).valid).toBe(true);
  });

  it('asks Forge for both product tokens on the remote resolver endpoint, with their scopes', () => {
    expect(manifest.modules?.endpoint[0]).toEqual({
      key: 'forge-remote',
      remote: 'connect',
      route: { path: '/forge/remote' },
      auth: { appSystemToken: { enabled: true }, appUserToken: { enabled: true } },
    });
    expect(shippedScopes).toContain(FORGE_TOKEN_SCOPES.system);
    expect(shippedScopes).toContain(FORGE_TOKEN_SCOPES.user);
    const only = buildForgeManifest(def, { appId: APP_ID, product: 'jira', baseUrl: BASE_URL, forgeLifecycle: false, remoteEndpoints: [{ key: 'r', path: '/r' }] });
    expect(only.modules).toEqual({ endpoint: [expect.objectContaining({ key: 'r' })] });
    expect(validateForgeManifest(only)).toEqual({ valid: true, errors: [] });
    expect(() => buildForgeManifest(def, { appId: APP_ID, product: 'jira', baseUrl: BASE_URL, remoteEndpoints: [{ key: 'a b', path: '/r' }] })).toThrow(/endpoint key/);
  });

  it('refuses a manifest whose endpoint asks for a token without its scope (Forge would send none)', () => {
    const noUser = structuredClone(manifest);
    noUser.permissions.scopes = noUser.permissions.scopes.filter((s) => s !== FORGE_TOKEN_SCOPES.user);
    expect(validateForgeManifest(noUser)).toEqual({ valid: false, errors: ['/modules/endpoint/0 asks for appUserToken without the read:app-user-token scope'] });
    const noSystem = structuredClone(manifest);
    noSystem.permissions.scopes = noSystem.permissions.scopes.filter((s) => s !== FORGE_TOKEN_SCOPES.system);
    expect(validateForgeManifest(noSystem).errors).toHaveLength(3);
    const badShape = structuredClone(manifest) as unknown as { modules: { endpoint: { auth: unknown }[] } };
    badShape.modules.endpoint[0]!.auth = { appSystemToken: true };
    expect(validateForgeManifest(badShape).valid).toBe(false);
  });

  it('builds a Confluence manifest with -confluence scopes and refuses modules the product lacks', () => {
    const conf: AppDefinition = {
      key: 'com.example.macro',
      name: 'Macro',
      description: 'd',
      vendor: { name: 'V', url: 'https://v.example' },
      scopes: ['READ', 'WRITE'],
      modules: {
        dynamicContentMacros: [{ key: 'checklist-macro', name: { value: 'Checklist' }, url: '/macro?pageId={page.id}' }],
        webhooks: [{ event: 'page_created', url: '/hooks/page' }],
      },
    };
    const m: ForgeManifest = buildForgeManifest(conf, { appId: APP_ID, product: 'confluence', baseUrl: `${BASE_URL}/` });
    expect(m.permissions.scopes).toEqual(['read:connect-confluence', 'write:connect-confluence', 'read:app-system-token']);
    expect(Object.keys(m.connectModules).sort()).toEqual(['confluence:dynamicContentMacros', 'confluence:lifecycle', 'confluence:webhooks']);
    expect(m.remotes[0]!.baseUrl).toBe(BASE_URL);
    expect(validateForgeManifest(m).valid).toBe(true);
    expect(() => buildForgeManifest(conf, { appId: APP_ID, product: 'jira', baseUrl: BASE_URL })).toThrow(/dynamicContentMacros/);
    expect(() => buildForgeManifest(def, { appId: APP_ID, product: 'confluence', baseUrl: BASE_URL })).toThrow(/jiraIssueGlances/);
  });

  it('refuses an http base URL, a bad remote key and a bad app id', () => {
    expect(() => buildForgeManifest(def, { appId: APP_ID, product: 'jira', baseUrl: 'http://localhost:3000' })).toThrow(/https/);
    expect(() => buildForgeManifest(def, { appId: APP_ID, product: 'jira', baseUrl: BASE_URL, remoteKey: 'a b' })).toThrow(/remote key/);
    expect(() => buildForgeManifest(def, { appId: 'not-an-id', product: 'jira', baseUrl: BASE_URL })).toThrow(/FORGE_APP_ID/);
    expect(appAri(`ari:cloud:ecosystem::app/${APP_ID.toUpperCase()}`)).toBe(`ari:cloud:ecosystem::app/${APP_ID}`);
  });
});
