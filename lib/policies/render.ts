import { IntlMessageFormat } from 'intl-messageformat';
import type { PolicyDoc, PolicyFacts, PolicyLink, PolicySection, PolicyTexts } from './types';

/**
 * The policies from their catalogue (lib/policies/messages/{locale}.json, ICU MessageFormat):
 * `<doc>.<section>.heading|p<n>|item<n>` keys, in the order of the English catalogue, make the
 * documents' structure; the running configuration fills the arguments (retention days, database
 * kind, purge schedule, reporting on or off...).
 */
export type PolicyMessages = Record<string, string>;

const PART = /^(security|privacy)\.([a-zA-Z]+)\.(heading|p\d+|item\d+)$/;

/** Links are configuration, not words: the vulnerability report contact and the vendor. */
const LINKS: Record<string, (f: PolicyFacts) => PolicyLink> = {
  'security.report': (f) => f.securityContact ?? { href: f.vendorUrl, label: f.vendorName },
  'privacy.users': (f) => ({ href: f.vendorUrl, label: f.vendorName }),
};

function argumentsOf(f: PolicyFacts): Record<string, string | number> {
  return {
    appName: f.appName,
    vendorName: f.vendorName,
    retentionDays: f.retentionDays,
    database: f.database,
    purgeIntervalMinutes: f.purgeIntervalMinutes,
    gdprCycleDays: f.gdprCycleDays,
    gdprReporting: f.gdprReportIntervalHours > 0 ? 'on' : 'off',
    secretCipher: f.secretCipher,
    hstsMaxAgeDays: f.hstsMaxAgeDays,
  };
}

/** Sections and their parts, in catalogue order (the reference catalogue decides the structure). */
function structure(reference: PolicyMessages, kind: 'security' | 'privacy'): { id: string; parts: string[] }[] {
  const sections = new Map<string, string[]>();
  for (const key of Object.keys(reference)) {
    const m = PART.exec(key);
    if (!m || m[1] !== kind) continue;
    const parts = sections.get(m[2]!) ?? [];
    parts.push(m[3]!);
    sections.set(m[2]!, parts);
  }
  return [...sections].map(([id, parts]) => ({ id, parts }));
}

export function renderPolicies(messages: PolicyMessages, reference: PolicyMessages, locale: string, facts: PolicyFacts): PolicyTexts {
  const values = argumentsOf(facts);
  const say = (id: string): string => {
    const text = messages[id] ?? reference[id];
    if (text === undefined) throw new Error(`policy message ${id} is missing`);
    return String(new IntlMessageFormat(text, locale).format(values));
  };
  const doc = (kind: 'security' | 'privacy'): PolicyDoc => ({
    title: say(`${kind}.title`),
    summary: say(`${kind}.summary`),
    sections: structure(reference, kind).map(({ id, parts }): PolicySection => {
      const at = (p: string) => say(`${kind}.${id}.${p}`);
      const paragraphs = parts.filter((p) => p.startsWith('p')).map(at);
      const items = parts.filter((p) => p.startsWith('item')).map(at);
      const link = LINKS[`${kind}.${id}`]?.(facts);
      return { id, heading: at('heading'), ...(paragraphs.length ? { paragraphs } : {}), ...(items.length ? { items } : {}), ...(link ? { link } : {}) };
    }),
  });
  return {
    chrome: { language: say('chrome.language'), securityTitle: say('chrome.securityTitle'), privacyTitle: say('chrome.privacyTitle'), generated: say('chrome.generated') },
    security: doc('security'),
    privacy: doc('privacy'),
  };
}
