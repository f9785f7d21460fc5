/**
 * The languages the app speaks: adding one is one line here plus one JSON file per catalogue
 * (lib/i18n/messages/ for the iframes, the descriptor's module names and the data controls;
 * lib/policies/messages/ for the policy pages). Imports nothing: the iframes, the server and the
 * product emulator (its language switcher) all read it.
 */
export const LOCALES = [
  // tag: the app's locale and catalogue file name; product: the tag Atlassian sends in `loc` and
  // keys the descriptor's translation files by; name: the language in its own words.
  { tag: 'en', product: 'en-US', name: 'English' },
  { tag: 'de', product: 'de-DE', name: 'Deutsch' },
  { tag: 'fr', product: 'fr-FR', name: 'Français' },
  { tag: 'es', product: 'es-ES', name: 'Español' },
  { tag: 'ja', product: 'ja-JP', name: '日本語' },
  { tag: 'pt-BR', product: 'pt-BR', name: 'Português (Brasil)' },
] as const;

export type AppLocale = (typeof LOCALES)[number]['tag'];

export const SUPPORTED_LOCALES: readonly AppLocale[] = LOCALES.map((l) => l.tag);

/** The fallback language, and the catalogues' reference (every other file has its keys). */
export const DEFAULT_LOCALE: AppLocale = 'en';

/**
 * Connect's `translations.paths` are keyed by the product's locale codes.
 * https://developer.atlassian.com/cloud/jira/platform/internationalization/
 */
export const PRODUCT_LOCALE_FOR = Object.fromEntries(LOCALES.map((l) => [l.tag, l.product])) as Record<AppLocale, string>;

export const LANGUAGE_NAMES = Object.fromEntries(LOCALES.map((l) => [l.tag, l.name])) as Record<AppLocale, string>;

export function isAppLocale(locale: unknown): locale is AppLocale {
  return (SUPPORTED_LOCALES as readonly unknown[]).includes(locale);
}

/** Narrows a string (already resolved by the Connect layer) to a supported locale, else the default. */
export function asAppLocale(locale: string | undefined | null): AppLocale {
  return isAppLocale(locale) ? locale : DEFAULT_LOCALE;
}
