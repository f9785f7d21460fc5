import { describe, expect, it } from 'vitest';
import { arrivedOverHttps, isSafeKey, licenseFromParam, normaliseLocale, normaliseTimeZone, parseAcceptLanguage, pickLocale } from './context';

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
  it('trusts X-Forwarded-Proto only from the configured number of proxies, counted from the right', () => {
    expect(arrivedOverHttps(h('https'), 0)).toBe(false);
    expect(arrivedOverHttps(h(), 1)).toBe(false);
    expect(arrivedOverHttps(h('https'), 1)).toBe(true);
    expect(arrivedOverHttps(h('http'), 1)).toBe(false);
    // an appending proxy after a client that claimed https: the proxy's own value is the last one
    expect(arrivedOverHttps(h('https, http'), 1)).toBe(false);
    expect(arrivedOverHttps(h('http, https'), 1)).toBe(true);
    // two proxies: the outer one (TLS) wrote the second value from the right
    expect(arrivedOverHttps(h('evil, https, http'), 2)).toBe(true);
    expect(arrivedOverHttps(h('https, http, http'), 2)).toBe(false);
    expect(arrivedOverHttps(h('https'), 2)).toBe(false);
    expect(arrivedOverHttps(h('HTTPS'), 1)).toBe(true);
    expect(arrivedOverHttps(h('httpsx'), 1)).toBe(false);
  });
});

describe('isSafeKey', () => {
  it('refuses what must never become a lookup key', () => {
    expect(isSafeKey('3f2a-jira:9b1c')).toBe(true);
    expect(isSafeKey('557058:0a8f4c62-6b1f-4bd6-8d8e-3f1e4c0a8b9e', 128)).toBe(true);
    for (const bad of ['', 'a\u0000b', 'a\nb', 'x\u007f', '\ud800', 'a\udc00b', 'x'.repeat(256), 42, null, undefined, {}]) expect(isSafeKey(bad), JSON.stringify(bad)).toBe(false);
    expect(isSafeKey('\ud83d\ude00')).toBe(true); // a well-formed surrogate pair
  });
});
