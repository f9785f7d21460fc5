import 'server-only';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { db } from '@/lib/db';
import { buildDescriptor } from '@/lib/connect/descriptor';
import { InstallKeyStore } from '@/lib/connect/install-keys';
import { createRouteWrappers } from '@/lib/connect/next';
import type { ConnectRuntime } from '@/lib/connect/runtime';
import { SecretBox } from '@/lib/connect/secret-box';
import { SessionTokens } from '@/lib/connect/session';
import { TenantCache } from '@/lib/connect/tenants/cache';
import { PrismaTenantStore } from '@/lib/connect/tenants/prisma-store';
import { hkdfSync } from 'node:crypto';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES } from '@/lib/i18n/locales';
import { appDefinition } from './definition';
import { masterKey } from './master-key';
import { productClient, productPort } from './product';
import { forgetLicense, resolveApiLicense } from '@/lib/settings/license';
import { forgetAdminAnswers } from '@/lib/settings/admin';
import { forgetSettings } from '@/lib/settings/service';

/** The reference app's Connect runtime: one per process, built lazily from the validated env. */
const tenantChangeListeners = new Set<(clientKey: string) => void>();

export function onTenantChange(listener: (clientKey: string) => void): void {
  tenantChangeListeners.add(listener);
}

function build(): ConnectRuntime {
  // A (re)install, uninstall or enable/disable may change license, admins or settings.
  onTenantChange((clientKey) => {
    forgetLicense(clientKey);
    forgetAdminAnswers(clientKey);
    forgetSettings(clientKey);
    productClient().forgetTenant(clientKey);
  });
  const e = env();
  const key = masterKey();
  const box = new SecretBox(Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'tenant-secret-box-v1', 32)));
  const store = new PrismaTenantStore(db, async () => box);
  return {
    config: () => ({
      appKey: e.APP_KEY,
      baseUrl: e.APP_BASE_URL,
      production: e.APP_ENV === 'production',
      leewaySeconds: e.JWT_LEEWAY_SECONDS,
      allowedProductHosts: e.ALLOWED_PRODUCT_HOSTS,
      trustProxy: e.TRUST_PROXY,
      licenseWhenAbsent: e.LICENSE_WHEN_ABSENT,
      supportedLocales: SUPPORTED_LOCALES,
      defaultLocale: DEFAULT_LOCALE,
    }),
    store,
    tenants: new TenantCache(store, e.TENANT_CACHE_TTL_MS),
    installKeys: new InstallKeyStore({ cdnUrl: e.CONNECT_KEYS_CDN_URL }),
    sessions: new SessionTokens(key, e.APP_KEY, e.SESSION_TOKEN_TTL_SECONDS, e.JWT_LEEWAY_SECONDS),
    log: log(),
    now: () => new Date(),
    onTenantChange: (clientKey) => tenantChangeListeners.forEach((l) => l(clientKey)),
  };
}

const g = globalThis as unknown as { __connectRuntime?: ConnectRuntime; __connectWrappers?: ReturnType<typeof createRouteWrappers> };

export function runtime(): ConnectRuntime {
  g.__connectRuntime ??= build();
  return g.__connectRuntime;
}

/** withPageAuth / withApiAuth / withWebhookAuth / lifecycleRoute for this app. */
export function connect(): ReturnType<typeof createRouteWrappers> {
  // Context JWTs carry no `lic`: their license comes from the product's license API (cached),
  // never from anything the browser sends.
  g.__connectWrappers ??= createRouteWrappers(runtime(), {
    resolveLicense: (tenant) => resolveApiLicense(productPort(), tenant, env().APP_KEY, env().LICENSE_WHEN_ABSENT),
  });
  return g.__connectWrappers;
}

export function descriptor(): Record<string, unknown> {
  const e = env();
  return buildDescriptor(
    appDefinition({ key: e.APP_KEY, name: e.APP_NAME, vendor: { name: e.APP_VENDOR_NAME, url: e.APP_VENDOR_URL } }),
    e.APP_BASE_URL,
  );
}

type Wrappers = ReturnType<typeof createRouteWrappers>;
type RouteFn = (req: Request, route: { params: Promise<Record<string, string | string[] | undefined>> }) => Promise<Response>;

/** Lazily bound wrappers, so importing a route module (e.g. during `next build`) reads no config. */
function lazy<A extends unknown[]>(pick: (w: Wrappers) => (...args: A) => RouteFn) {
  return (...args: A): RouteFn => {
    let fn: RouteFn | undefined;
    return (req, route) => (fn ??= pick(connect())(...args))(req, route);
  };
}

export const withPageAuth = lazy((w) => w.withPageAuth);
export const withApiAuth = lazy((w) => w.withApiAuth);
export const withWebhookAuth = lazy((w) => w.withWebhookAuth);
