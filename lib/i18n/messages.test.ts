import { describe, expect, it, vi } from 'vitest';
import { appDefinition } from '@/lib/app/definition';
import { SUPPORTED_LOCALES } from './locales';
import { englishMessages, loadMessages } from './messages';
import { descriptorTranslations } from './descriptor';

describe('the iframes\' catalogue', () => {
  it.each(SUPPORTED_LOCALES)('loads the %s messages (its own file over English)', async (locale) => {
    const own = (await import(`./messages/${locale}.json`)).default as Record<string, string>;
    const loaded = await loadMessages(locale);
    for (const id of ['panel.title', 'dataControls.intro', 'checklist.panel.name']) expect(loaded[id], id).toBe(own[id]);
  });

  it('falls back to English for a missing key', async () => {
    // Every shipped catalogue is complete (catalogues.test.ts), so the fallback is shown with a
    // German catalogue that lacks one key, as a release with a late translation would.
    vi.resetModules();
    vi.doMock('./messages/de.json', async (importOriginal) => {
      const { 'panel.title': _missing, ...rest } = ((await importOriginal()) as { default: Record<string, string> }).default;
      return { default: rest };
    });
    try {
      const { loadMessages: load } = await import('./messages');
      const de = await load('de');
      expect(de['panel.title']).toBe(englishMessages['panel.title']);
      expect(de['panel.empty.title']).toBe('Noch keine Einträge');
    } finally {
      vi.doUnmock('./messages/de.json');
      vi.resetModules();
    }
    expect((await loadMessages('de'))['panel.title']).toBe('Checkliste');
  });

  it('translates every i18n key the descriptor uses', async () => {
    const def = appDefinition({ key: 'k', name: 'n', vendor: { name: 'v', url: 'https://v' } });
    const keys = Object.values(def.modules).flat().flatMap((m) => [m?.name?.i18n, (m as { content?: { label?: { i18n?: string } } }).content?.label?.i18n]).filter(Boolean);
    for (const locale of SUPPORTED_LOCALES) {
      const file = await descriptorTranslations(`${locale}.json`);
      for (const k of keys) expect(file?.[k!], `${locale} ${k}`).toBeTruthy();
    }
    expect(await descriptorTranslations('../en.json')).toBeNull();
  });
});
