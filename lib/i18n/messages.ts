import type { AppLocale } from './locales';
import en from './messages/en.json';

/**
 * The iframes' catalogue: flat ICU MessageFormat strings keyed by id (react-intl / FormatJS), one
 * JSON file per language in ./messages, named by the locale table's tags.
 */
export type Messages = Record<string, string>;
export type MessageId = keyof typeof en;

/** English is always bundled: it is the fallback for a missing key in any other language. */
export const englishMessages: Messages = en;

/**
 * Loads one locale's messages. The bundler makes each file its own chunk, so an iframe downloads
 * only the language it shows (plus English, inlined as fallback).
 */
export async function loadMessages(locale: AppLocale): Promise<Messages> {
  if (locale === 'en') return en;
  const own = ((await import(`./messages/${locale}.json`)) as { default: Messages }).default;
  return { ...en, ...own };
}

/** Keys used by the descriptor's module names (`name.i18n`): served as Connect translation files. */
export function descriptorMessages(all: Messages): Messages {
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('checklist.')));
}
