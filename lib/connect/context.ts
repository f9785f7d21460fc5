/**
 * License and locale from a request's context parameters, and the HTTPS rule.
 * https://developer.atlassian.com/cloud/jira/platform/context-parameters/
 */

export type LicenseParam = 'active' | 'none' | 'absent';

export interface LicenseState {
  /** What the product said in the signed page URL (`lic`), or 'absent'. */
  param: LicenseParam;
  /** Whether the app should behave as licensed, after the absent-policy is applied. */
  licensed: boolean;
}

export function licenseFromParam(lic: string | null | undefined, whenAbsent: 'licensed' | 'unlicensed'): LicenseState {
  if (lic === 'active') return { param: 'active', licensed: true };
  if (lic === null || lic === undefined || lic === '') return { param: 'absent', licensed: whenAbsent === 'licensed' };
  // Anything but `active` is unlicensed (the product sends `none`).
  return { param: 'none', licensed: false };
}

const TAG = /^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$/;

/** Normalises `de_DE` / `de-de` to `de-DE`; returns undefined for junk. */
export function normaliseLocale(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const t = raw.trim();
  if (!TAG.test(t) || t.length > 35) return undefined;
  const [lang, ...rest] = t.replace(/_/g, '-').split('-');
  return [lang!.toLowerCase(), ...rest.map((p) => (p.length === 2 ? p.toUpperCase() : p))].join('-');
}

/** Accept-Language tags in preference order (q-values honoured, `*` dropped). */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: normaliseLocale(tag), q: q ? Number(q) : 1, i };
    })
    .filter((x): x is { tag: string; q: number; i: number } => !!x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}

/**
 * Picks the best supported locale: exact match, then same language (so `pt-PT` → `pt-BR` if that
 * is the only Portuguese), else the fallback.
 */
export function pickLocale(candidates: (string | undefined)[], supported: readonly string[], fallback: string): string {
  for (const c of candidates) {
    const n = normaliseLocale(c);
    if (!n) continue;
    const exact = supported.find((s) => s.toLowerCase() === n.toLowerCase());
    if (exact) return exact;
    const lang = n.split('-')[0]!.toLowerCase();
    const sameLang = supported.find((s) => s.split('-')[0]!.toLowerCase() === lang);
    if (sameLang) return sameLang;
  }
  return fallback;
}

const timeZones = new Map<string, string | undefined>();

/** A valid IANA time zone or undefined. Cached: constructing an Intl formatter costs ~40 µs. */
export function normaliseTimeZone(tz: string | null | undefined): string | undefined {
  if (!tz || tz.length > 64) return undefined;
  if (timeZones.has(tz)) return timeZones.get(tz);
  let zone: string | undefined;
  try {
    zone = new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    zone = undefined;
  }
  if (timeZones.size < 1000) timeZones.set(tz, zone);
  return zone;
}

/**
 * Whether the request reached the TLS-terminating proxy over HTTPS, per the `X-Forwarded-Proto`
 * value that proxy set. With `trustProxyHops` = n, the n-th value from the right is the one the
 * outermost trusted proxy wrote (values further left came from the client, as with Express's
 * `trust proxy` hop count). With no trusted proxy the answer is always false: Next builds
 * `request.url` from a client-sent `X-Forwarded-Proto` (router-utils/resolve-routes.js), so the URL's
 * scheme proves nothing, and `next start` itself only speaks plain HTTP.
 */
export function arrivedOverHttps(headers: Headers, trustProxyHops: number): boolean {
  if (trustProxyHops < 1) return false;
  const values = (headers.get('x-forwarded-proto') ?? '').split(',').map((v) => v.trim().toLowerCase());
  const value = values.length >= trustProxyHops ? values[values.length - trustProxyHops] : undefined;
  return value === 'https';
}

/** Control characters, lone surrogates, or nothing at all: never a key to look up (PostgreSQL refuses NUL). */
const UNSAFE = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A string that may be used as a key in a lookup (clientKey, accountId, kid, ids from the
 * product): 1..max characters, no control characters, well-formed UTF-16. Anything else is
 * refused before it reaches a cache or the database.
 */
export function isSafeKey(value: unknown, max = 255): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !UNSAFE.test(value);
}
