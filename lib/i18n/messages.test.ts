import { describe, expect, it } from 'vitest';
import { appDefinition } from '@/lib/app/definition';
import { SUPPORTED_LOCALES } from './locales';
import { loadMessages } from './messages';
import { descriptorTranslations } from './descriptor';

describe('the iframes\' catalogue', () => {
  it.each(SUPPORTED_LOCALES)('loads the %s messages (its own file over English)', async (locale) => {
    const own = (await import(`./messages/${locale}.json`)).default as Record<string, string>;
    const loaded = await loadMessages(locale);
    for (const id of ['panel.title', 'dataControls.intro', 'checklist.panel.name']) expect(loaded[id], id).toBe(own[id]);
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
