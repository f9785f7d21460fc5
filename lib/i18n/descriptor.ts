import { SUPPORTED_LOCALES, type AppLocale } from './locales';
import { descriptorMessages, loadMessages, type Messages } from './messages';

/** `/i18n/{locale}.json` file names, one per supported locale. */
export function translationFiles(): string[] {
  return SUPPORTED_LOCALES.map((l) => `${l}.json`);
}

/** The descriptor keys of one translation file, or null for an unknown file name. */
export async function descriptorTranslations(file: string): Promise<Messages | null> {
  const locale = SUPPORTED_LOCALES.find((l) => `${l}.json` === file);
  if (!locale) return null;
  return descriptorMessages(await loadMessages(locale as AppLocale));
}
