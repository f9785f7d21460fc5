import 'server-only';
import { parseAcceptLanguage, pickLocale } from 'atlassian-connect-next';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type AppLocale } from '@/lib/app/definition';
import { de } from './messages/de';
import { en } from './messages/en';
import { es } from './messages/es';
import { fr } from './messages/fr';
import { ja } from './messages/ja';
import { ptBR } from './messages/pt-br';
import type { LocaleTexts, PolicyDoc, PolicyFacts, PolicyTexts } from './types';

/** The published policies, in the reader's language, from the configuration read right now. */

const TEXTS: Record<AppLocale, LocaleTexts> = { en, de, fr, es, ja, 'pt-BR': ptBR };

/** `?lang=` first, then Accept-Language, then English. */
export function policyLocale(lang: string | string[] | undefined, acceptLanguage: string | null): AppLocale {
  const explicit = Array.isArray(lang) ? lang[0] : lang;
  return pickLocale([explicit, ...parseAcceptLanguage(acceptLanguage)], SUPPORTED_LOCALES, DEFAULT_LOCALE) as AppLocale;
}

export interface RenderedPolicy {
  locale: AppLocale;
  doc: PolicyDoc;
  texts: PolicyTexts;
}

/** The facts come from the running configuration (see facts.ts), so the text cannot drift from the code. */
export function policyDocument(kind: 'security' | 'privacy', facts: PolicyFacts, lang: string | string[] | undefined, acceptLanguage: string | null): RenderedPolicy {
  const locale = policyLocale(lang, acceptLanguage);
  const texts = TEXTS[locale](facts);
  return { locale, doc: texts[kind], texts };
}

/** Language names in their own language, for the switcher. */
export const LANGUAGE_NAMES: Record<AppLocale, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  ja: '日本語',
  'pt-BR': 'Português (Brasil)',
};
