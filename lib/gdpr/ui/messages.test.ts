import { describe, expect, it } from 'vitest';
import { SUPPORTED_LOCALES } from '@/lib/app/definition';
import { confirmMatches, dataControlMessages } from './messages';

describe('data controls wording and confirmation', () => {
  it.each(SUPPORTED_LOCALES)('%s has every message, states the retention and names the host to type', (locale) => {
    const m = dataControlMessages(locale);
    const en = dataControlMessages('en');
    expect(Object.keys(m).sort()).toEqual(Object.keys(en).sort());
    expect(m.intro(45)).toContain('45');
    expect(m.confirmLabel('acme.atlassian.net')).toContain('acme.atlassian.net');
    if (locale !== 'en') expect(m.export).not.toBe(en.export);
  });

  it('matches the product locale forms and falls back to English', () => {
    expect(dataControlMessages('pt_BR').export).toBe('Exportar dados');
    expect(dataControlMessages('de-DE').export).toBe('Daten exportieren');
    expect(dataControlMessages('xx').export).toBe('Export data');
  });

  it('accepts only the site host, ignoring case and surrounding spaces', () => {
    expect(confirmMatches(' ACME.atlassian.net ', 'acme.atlassian.net')).toBe(true);
    expect(confirmMatches('acme', 'acme.atlassian.net')).toBe(false);
    expect(confirmMatches('', '')).toBe(false);
  });
});
