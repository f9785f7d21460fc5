import { parse } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { appDefinition, SUPPORTED_LOCALES } from '@/lib/app/definition';
import { englishMessages, loadMessages } from './messages';
import { descriptorTranslations } from './descriptor';

const argsOf = (msg: string) => [...msg.matchAll(/\{(\w+)/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))('%s has every English key, valid ICU and the same arguments', async (locale) => {
    const own = (await import(`./messages/${locale}.json`)).default as Record<string, string>;
    expect(Object.keys(own).sort()).toEqual(Object.keys(englishMessages).sort());
    for (const [id, msg] of Object.entries(own)) {
      expect(() => parse(msg), `${locale} ${id}`).not.toThrow();
      expect(argsOf(msg), `${locale} ${id}`).toEqual(argsOf(englishMessages[id]!));
    }
  });

  it('falls back to English for a missing key', async () => {
    expect((await loadMessages('de'))['panel.title']).toBe('Checkliste');
    expect((await loadMessages('en'))['panel.title']).toBe('Checklist');
  });

  it('translates every i18n key the descriptor uses', async () => {
    const def = appDefinition({ key: 'k', name: 'n', vendor: { name: 'v', url: 'https://v' } });
    const keys = Object.values(def.modules).flat().flatMap((m) => ['name' in m ? m.name.i18n : undefined, (m as { content?: { label?: { i18n?: string } } }).content?.label?.i18n]).filter(Boolean);
    for (const locale of SUPPORTED_LOCALES) {
      const file = await descriptorTranslations(`${locale}.json`);
      for (const k of keys) expect(file?.[k!], `${locale} ${k}`).toBeTruthy();
    }
    expect(await descriptorTranslations('../en.json')).toBeNull();
  });
});
