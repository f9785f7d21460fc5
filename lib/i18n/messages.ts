import type { AppLocale } from './locales';
import en from './messages/en.json';

/** Message catalogue: flat ICU MessageFormat strings keyed by id (react-intl / FormatJS). */
export type Messages = Record<string, string>;
export type MessageId = keyof typeof en;

/** English is always bundled: it is the fallback for a missing key in any other language. */
export const englishMessages: Messages = en;

/**
 * Loads one locale's messages. Each import is its own chunk, so an iframe downloads only the
 * language it shows (plus English, inlined as fallback).
 */
export async function loadMessages(locale: AppLocale): Promise<Messages> {
  switch (locale) {
    case 'de':
      return { ...en, ...(await import('./messages/de.json')).default };
    case 'fr':
      return { ...en, ...(await import('./messages/fr.json')).default };
    case 'es':
      return { ...en, ...(await import('./messages/es.json')).default };
    case 'ja':
      return { ...en, ...(await import('./messages/ja.json')).default };
    case 'pt-BR':
      return { ...en, ...(await import('./messages/pt-BR.json')).default };
    default:
      return en;
  }
}

/** Keys used by the descriptor's module names (`name.i18n`): served as Connect translation files. */
export function descriptorMessages(all: Messages): Messages {
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('checklist.')));
}
