import { describe, expect, it } from 'vitest';
import { descriptorSchema, listModules, moduleName, translationKeyFor } from './descriptor';

const descriptor = descriptorSchema.parse({
  key: 'app',
  name: 'App',
  baseUrl: 'https://app.example.com',
  authentication: { type: 'jwt' },
  translations: { paths: { de_DE: '/i18n/de.json', pt_BR: '/i18n/pt-BR.json' } },
  modules: {
    jiraIssueGlances: [{ key: 'glance', name: { value: 'G' }, target: { type: 'web_panel', url: '/glance?i={issue.key}' } }],
    webPanels: [
      { key: 'right', name: { value: 'R' }, url: '/r', location: 'atl.jira.view.issue.right.context', weight: 5 },
      { key: 'project', name: { value: 'P' }, url: '/p', location: 'atl.jira.proj.config.sidebar' },
    ],
    configurePage: { key: 'configure', name: { value: 'C', i18n: 'c.name' }, url: '/admin' },
    webhooks: [{ key: 'hook', event: 'jira:issue_updated', url: '/hook' }],
  },
});

describe('descriptor modules', () => {
  it('lists the page modules with their URL templates, single-object modules included', () => {
    const mods = listModules(descriptor);
    expect(mods.map((m) => [m.key, m.kind, m.url])).toEqual([
      ['right', 'issue-panel', '/r'],
      ['glance', 'issue-glance', '/glance?i={issue.key}'],
      ['configure', 'admin', '/admin'],
    ]);
  });

  it('translates module names through the translation files, by locale then language', () => {
    const m = listModules(descriptor).find((x) => x.key === 'configure')!;
    const translations = { de_DE: { 'c.name': 'Konfigurieren' }, pt_BR: { 'c.name': 'Configurar' } };
    const paths = descriptor.translations!.paths;
    expect(translationKeyFor(paths, 'de')).toBe('de_DE');
    expect(translationKeyFor(paths, 'pt-BR')).toBe('pt_BR');
    expect(translationKeyFor({ 'de-DE': '/de.json', 'pt-BR': '/pt.json' }, 'de')).toBe('de-DE');
    expect(translationKeyFor({ 'de-DE': '/de.json', 'pt-BR': '/pt.json' }, 'pt-BR')).toBe('pt-BR');
    expect(translationKeyFor({ 'de-DE': '/de.json' }, 'fr')).toBeUndefined();
    expect(moduleName(m, translations, paths, 'de')).toBe('Konfigurieren');
    expect(moduleName(m, translations, paths, 'ja')).toBe('C');
  });
});
