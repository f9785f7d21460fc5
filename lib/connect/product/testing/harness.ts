import { randomBytes, randomUUID } from 'node:crypto';
import type { Tenant } from '../../tenants/types';
import { ProductClient, type ProductClientOptions } from '../client';
import { FakeProduct, type FakeSite } from './fake-product';

/** Shared set-up of the product client suites and the client benchmark. */

export const APP_KEY = 'com.example.product-client-test';

export function newFakeSite(overrides: Partial<FakeSite> = {}): FakeSite {
  return {
    clientKey: `ck-${randomUUID()}`,
    appKey: APP_KEY,
    sharedSecret: randomBytes(32).toString('base64url'),
    oauthClientId: `oauth-${randomUUID().slice(0, 8)}`,
    ...overrides,
  };
}

/** The tenant record the app would hold for a fake site (its current baseUrl). */
export function tenantOf(fake: FakeProduct, overrides: Partial<Tenant> = {}): Tenant {
  return {
    clientKey: fake.site.clientKey,
    appKey: fake.site.appKey,
    sharedSecret: fake.site.sharedSecret,
    baseUrl: fake.baseUrl,
    displayUrl: null,
    productType: fake.site.productType ?? 'jira',
    cloudId: null,
    oauthClientId: fake.site.oauthClientId,
    description: null,
    serverVersion: null,
    pluginsVersion: null,
    serviceEntitlementNumber: null,
    enabled: true,
    installedAt: new Date(0),
    uninstalledAt: null,
    lastSeenAt: null,
    forgeInstallationId: null,
    ...overrides,
  };
}

/** A clock tests move by hand (token expiry, cache freshness); starts at the real time. */
export class TestClock {
  private offset = 0;
  now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** A tenant directory the client resolves through; tests change entries between calls. */
export class TenantDirectory {
  readonly tenants = new Map<string, Tenant>();
  lookups = 0;
  put(t: Tenant): void {
    this.tenants.set(t.clientKey, t);
  }
  resolve = async (clientKey: string): Promise<Tenant | null> => {
    this.lookups++;
    return this.tenants.get(clientKey) ?? null;
  };
}

/**
 * Client options with delays scaled down so a suite runs in seconds. The default deadline is far
 * beyond any local round trip on a busy machine: tests about deadlines set their own.
 */
export function fastClient(dir: TenantDirectory, fake: FakeProduct, opts: Partial<ProductClientOptions> = {}): ProductClient {
  return new ProductClient({
    appKey: APP_KEY,
    resolveTenant: dir.resolve,
    authServerUrl: fake.authServerUrl,
    timeoutMs: 30_000,
    retry: { maxRetries: 4, baseDelayMs: 5, maxDelayMs: 30, jitter: [0.7, 1.3] },
    breaker: { failureThreshold: 5, halfOpenAfterMs: 300 },
    minAttemptMs: 20,
    ...opts,
  });
}
