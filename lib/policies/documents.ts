import 'server-only';
import { parseAcceptLanguage, pickLocale } from 'atlassian-connect-next';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type AppLocale } from '@/lib/i18n/locales';
import english from './messages/en.json';
import { renderPolicies, type PolicyMessages } from './render';
import type { PolicyDoc, PolicyFacts, PolicyTexts } from './types';

/** The published policies, in the reader's language, from the configuration read right now. */

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

async function policyMessages(locale: AppLocale): Promise<PolicyMessages> {
  if (locale === DEFAULT_LOCALE) return english;
  return ((await import(`./messages/${locale}.json`)) as { default: PolicyMessages }).default;
}

/** The facts come from the running configuration (see facts.ts), so the text cannot drift from the code. */
export async function policyDocument(kind: 'security' | 'privacy', facts: PolicyFacts, lang: string | string[] | undefined, acceptLanguage: string | null): Promise<RenderedPolicy> {
  const locale = policyLocale(lang, acceptLanguage);
  const texts = renderPolicies(await policyMessages(locale), english, locale, facts);
  return { locale, doc: texts[kind], texts };
}
