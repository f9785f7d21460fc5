import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { SUPPORTED_LOCALES } from '@/lib/i18n/locales';
import { policyDocument as render, policyLocale } from './documents';
import { policyFacts } from './facts';
import type { PolicyFacts } from './types';

/** The policies state the running configuration, in every supported language, with one structure. */

let facts: PolicyFacts;
function configure(vars: Record<string, string | undefined>) {
  facts = policyFacts(parseEnv(vars));
}
const policyDocument = (kind: 'security' | 'privacy', lang: string, accept: string | null) => render(kind, facts, lang, accept);

const text = (d: Awaited<ReturnType<typeof policyDocument>>['doc']) => JSON.stringify(d);

describe('policy documents', () => {
  it('picks ?lang= over Accept-Language, matches by language, falls back to English', () => {
    expect(policyLocale('de', 'ja,en;q=0.5')).toBe('de');
    expect(policyLocale(undefined, 'ja,en;q=0.5')).toBe('ja');
    expect(policyLocale(undefined, 'pt-PT,pt;q=0.9')).toBe('pt-BR');
    expect(policyLocale('fr-CA', null)).toBe('fr');
    expect(policyLocale('xx', 'zz')).toBe('en');
    expect(policyLocale(['es', 'de'], null)).toBe('es');
  });

  it.each(SUPPORTED_LOCALES)('%s states the configured retention and database, with the English structure', async (locale) => {
    configure({ RETENTION_DAYS: '45', DATABASE_URL: undefined, PURGE_INTERVAL_MINUTES: '15' });
    const en = await policyDocument('privacy', 'en', null);
    const privacy = await policyDocument('privacy', locale, null);
    const security = await policyDocument('security', locale, null);
    expect(privacy.locale).toBe(locale);
    expect(text(privacy.doc)).toContain('45');
    expect(text(privacy.doc)).toContain('15');
    expect(text(security.doc)).toContain('AES-256-GCM');
    expect(text(security.doc)).toContain('PGlite');
    expect(privacy.doc.sections.map((s) => s.id)).toEqual(en.doc.sections.map((s) => s.id));
    expect(security.doc.sections.map((s) => s.id)).toEqual((await policyDocument('security', 'en', null)).doc.sections.map((s) => s.id));
    if (locale !== 'en') expect(privacy.doc.sections[0]!.heading).not.toBe(en.doc.sections[0]!.heading);
  });

  it('follows the configuration: PostgreSQL, another retention, a security contact, reporting off', async () => {
    configure({ RETENTION_DAYS: '7', DATABASE_URL: 'postgres://u:p@db/app', SECURITY_CONTACT: 'security@example.com', GDPR_REPORT_INTERVAL_HOURS: '0' });
    const security = (await policyDocument('security', 'en', null)).doc;
    const privacy = (await policyDocument('privacy', 'en', null)).doc;
    expect(text(security)).toContain('a PostgreSQL database');
    expect(text(security)).not.toContain('PGlite');
    expect(security.sections.find((s) => s.id === 'report')?.link).toEqual({ href: 'mailto:security@example.com', label: 'security@example.com' });
    expect(text(privacy)).toContain('kept for 7 days');
    expect(text(privacy)).not.toContain('30 days');
    expect(text(privacy)).toContain('turned off');
  });
});
