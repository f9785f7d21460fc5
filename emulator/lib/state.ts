import { randomBytes, randomUUID } from 'node:crypto';
import type { AppDescriptor } from './descriptor';
import { PRODUCT_LOCALE_FOR, SUPPORTED_LOCALES, type AppLocale } from '../../lib/i18n/locales';
import { ACTING_USERS, type ActingUserKey } from './directory';
import type { RateLimitReason } from './rate-limits/headers';

/** The emulator's mutable state: the sites, who is looking, the injected faults, and logs. */

/** The switcher offers the app's languages (lib/i18n/locales.ts, a table that imports nothing). */
export const LOCALES = SUPPORTED_LOCALES;
export type EmuLocale = AppLocale;

/** The product sends full locale tags (`loc=de-DE`). */
export const PRODUCT_LOCALE: Record<EmuLocale, string> = PRODUCT_LOCALE_FOR;

/**
 * `active` and `evaluation` both reach iframes as `lic=active` (an evaluation is an active
 * license); the license REST API tells them apart. `absent` sends no `lic` at all.
 */
export const LICENSES = ['active', 'evaluation', 'none', 'absent'] as const;
export type LicenseChoice = (typeof LICENSES)[number];

export interface Viewer {
  user: ActingUserKey;
  locale: EmuLocale;
  license: LicenseChoice;
}

/** Switcher values applied over a viewer; unknown values are ignored. */
export function mergeViewer(v: Viewer, input: Partial<Record<'user' | 'locale' | 'license', unknown>>): { viewer: Viewer; changed: boolean } {
  const viewer = { ...v };
  let changed = false;
  if (ACTING_USERS.some((u) => u.key === input.user)) {
    viewer.user = input.user as ActingUserKey;
    changed = true;
  }
  if ((LOCALES as readonly unknown[]).includes(input.locale)) {
    viewer.locale = input.locale as EmuLocale;
    changed = true;
  }
  if ((LICENSES as readonly unknown[]).includes(input.license)) {
    viewer.license = input.license as LicenseChoice;
    changed = true;
  }
  return { viewer, changed };
}

export type Product = 'jira' | 'confluence';

export interface Site {
  product: Product;
  clientKey: string;
  cloudId: string;
  oauthClientId: string;
  /** Where the app must call the site; changes on a site rename. */
  baseUrl: string;
  sharedSecret?: string;
  installed: boolean;
  enabled: boolean;
  /** The descriptor as fetched at the last install. */
  descriptor?: AppDescriptor;
  /** i18n key → text, per app locale key (from the descriptor's `translations`). */
  translations: Record<string, Record<string, string>>;
  installedAt?: string;
}

export interface Faults {
  /** Added to every product REST and OAuth call. */
  latencyMs: number;
  /** Share (0..1) of calls answered 503. */
  errorRate: number;
  /** Share (0..1) of calls answered 429 with Retry-After. */
  rateLimitRate: number;
  retryAfterSeconds: number;
  /** Close the socket of every call (the app sees a network error). */
  refuse: boolean;
  /** The next N calls fail with `failNextKind`, then calls succeed again (deterministic retries). */
  failNext: number;
  failNextKind: '503' | '429' | 'refuse';
  /** Only calls whose path (relative to the site) starts with this are affected; '' = all. */
  pathPrefix: string;
  /** A 429 of one documented kind now, with its own path prefix and count (faults.ts). */
  rateLimit: RateLimitFault | null;
}

export interface RateLimitFault {
  reason: RateLimitReason;
  retryAfterSeconds: number;
  /** Only calls whose path (relative to the site) starts with this; '' = all. */
  path: string;
  /** How many calls still get it; null = every matching call until cleared. */
  times: number | null;
  /** `X-RateLimit-Limit`; default the documented limit of that kind. */
  limit?: number;
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  errorRate: 0,
  rateLimitRate: 0,
  retryAfterSeconds: 2,
  refuse: false,
  failNext: 0,
  failNextKind: '503',
  pathPrefix: '',
  rateLimit: null,
};

export interface Settings {
  pageTokenTtlSeconds: number;
  contextTokenTtlSeconds: number;
  oauthTokenTtlSeconds: number;
  /** Accepted clock skew for the app's tokens. */
  leewaySeconds: number;
}

export const DEFAULT_SETTINGS: Settings = {
  pageTokenTtlSeconds: 180,
  contextTokenTtlSeconds: 900,
  oauthTokenTtlSeconds: 900,
  leewaySeconds: 30,
};

export interface LifecycleRecord {
  at: string;
  product: Product;
  event: string;
  url: string;
  status: number;
  /** First bytes of the app's answer, for the control page. */
  response: string;
  skipped?: string;
}

export interface RestRecord {
  at: string;
  method: string;
  path: string;
  auth: 'jwt' | 'bearer' | 'bridge' | 'forge' | 'none';
  accountId?: string;
  status: number;
  fault?: string;
  error?: string;
}

export function newSite(product: Product, baseUrl: string): Site {
  return {
    product,
    clientKey: randomUUID(),
    cloudId: randomUUID(),
    oauthClientId: randomBytes(16).toString('base64url'),
    baseUrl,
    installed: false,
    enabled: false,
    translations: {},
  };
}

/** Shared secrets like the product's: long random strings. */
export function newSharedSecret(): string {
  return randomBytes(48).toString('base64url');
}

/** Bounded in-memory log, newest last. */
export class RingLog<T> {
  private items: T[] = [];
  constructor(private readonly max = 200) {}
  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
  }
  list(): T[] {
    return [...this.items];
  }
  clear(): void {
    this.items = [];
  }
}
