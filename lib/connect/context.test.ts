import { describe, expect, it } from 'vitest';
import { arrivedOverHttps, licenseFromParam, normaliseLocale, normaliseTimeZone, parseAcceptLanguage, pickLocale } from './context';

const supported = ['en', 'de', 'fr', 'es', 'ja', 'pt-BR'];

describe('license', () => {
  it('active is licensed; anything else unlicensed; absent follows the policy', () => {
    expect(licenseFromParam('active', 'unlicensed')).toEqual({ param: 'active', licensed: true });
    expect(licenseFromParam('none', 'licensed')).toEqual({ param: 'none', licensed: false });
    expect(licenseFromParam('ACTIVE', 'licensed').licensed).toBe(false);
    expect(licenseFromParam(null, 'licensed')).toEqual({ param: 'absent', licensed: true });
    expect(licenseFromParam(undefined, 'unlicensed')).toEqual({ param: 'absent', licensed: false });
  });
});

describe('locale', () => {
  it('normalises and picks, falling back by language then to English', () => {
    expect(normaliseLocale('de_DE')).toBe('de-DE');
    expect(normaliseLocale('<script>')).toBeUndefined();
    expect(pickLocale(['de-DE'], supported, 'en')).toBe('de');
    expect(pickLocale(['pt-PT'], supported, 'en')).toBe('pt-BR');
    expect(pickLocale(['pt_BR'], supported, 'en')).toBe('pt-BR');
    expect(pickLocale(['zh-CN', 'fr-CA'], supported, 'en')).toBe('fr');
    expect(pickLocale(['xx', undefined], supported, 'en')).toBe('en');
  });

  it('reads Accept-Language by q-value', () => {
    expect(parseAcceptLanguage('fr;q=0.5, ja, *;q=0.1, de;q=0')).toEqual(['ja', 'fr']);
    expect(parseAcceptLanguage(null)).toEqual([]);
  });

  it('accepts only real time zones', () => {
    expect(normaliseTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(normaliseTimeZone('Mars/Olympus')).toBeUndefined();
  });
});

describe('https', () => {
  const h = (proto?: string) => new Headers(proto ? { 'x-forwarded-proto': proto } : {});
  it('trusts X-Forwarded-Proto only when told to', () => {
    const http = new URL('http://app.example.com/p');
    expect(arrivedOverHttps(http, h('https'), false)).toBe(false);
    expect(arrivedOverHttps(http, h('https'), true)).toBe(true);
    expect(arrivedOverHttps(http, h('http'), true)).toBe(false);
    expect(arrivedOverHttps(new URL('https://a.example/'), h(), false)).toBe(true);
  });
});
