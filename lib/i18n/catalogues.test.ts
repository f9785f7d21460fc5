import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES } from './locales';

/**
 * Every catalogue (a `messages/` folder under lib/ holding `<DEFAULT_LOCALE>.json`) has one file
 * per language of the locale table, each with every key of the reference language, valid ICU
 * MessageFormat and the same arguments, so a translation cannot drop a number or a name.
 */

const LIB = path.resolve(__dirname, '..');

function catalogues(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === 'generated' || e.name === 'node_modules') continue;
    const sub = path.join(dir, e.name);
    if (e.name === 'messages' && existsSync(path.join(sub, `${DEFAULT_LOCALE}.json`))) found.push(sub);
    else found.push(...catalogues(sub));
  }
  return found;
}

/** Argument names, including those inside select and plural branches. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) into.add(el.value);
    if (el.type === TYPE.select || el.type === TYPE.plural) {
      into.add(el.value);
      for (const option of Object.values(el.options)) argumentsOf(option.value, into);
    }
    if (el.type === TYPE.tag) argumentsOf(el.children, into);
  }
  return into;
}

const read = (dir: string, locale: string) => JSON.parse(readFileSync(path.join(dir, `${locale}.json`), 'utf8')) as Record<string, string>;
const found = catalogues(LIB);

describe('message catalogues', () => {
  it('are found: the iframes (with the descriptor and data controls) and the policies', () => {
    expect(found.map((d) => path.relative(LIB, d)).sort()).toEqual(['i18n/messages', 'policies/messages']);
  });

  describe.each(found.map((d) => [path.relative(LIB, d), d] as const))('%s', (_name, dir) => {
    const reference = read(dir, DEFAULT_LOCALE);

    it('has one file per language of the locale table, and no other', () => {
      expect(readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(SUPPORTED_LOCALES.map((l) => `${l}.json`).sort());
    });

    it.each(SUPPORTED_LOCALES)('%s: every reference key, valid ICU, the same arguments', (locale) => {
      const own = read(dir, locale);
      expect(Object.keys(own).sort()).toEqual(Object.keys(reference).sort());
      for (const [id, message] of Object.entries(own)) {
        expect(() => parse(message), `${locale} ${id}`).not.toThrow();
        expect([...argumentsOf(parse(message))].sort(), `${locale} ${id}`).toEqual([...argumentsOf(parse(reference[id]!))].sort());
      }
    });
  });
});
