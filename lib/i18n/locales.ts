import { DEFAULT_LOCALE, PRODUCT_LOCALE_FOR, SUPPORTED_LOCALES, type AppLocale } from '@/lib/app/definition';

export { DEFAULT_LOCALE, PRODUCT_LOCALE_FOR, SUPPORTED_LOCALES, type AppLocale };

/** Narrows a string (already resolved by the Connect layer) to a supported locale, else English. */
export function asAppLocale(locale: string | undefined | null): AppLocale {
  return (SUPPORTED_LOCALES as readonly string[]).includes(locale ?? '') ? (locale as AppLocale) : DEFAULT_LOCALE;
}
