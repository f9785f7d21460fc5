import { ProductClient, type ProductClientOptions } from '../product/client';
import type { FakeProduct } from './fake-product';
import { TEST_APP_KEY, type TenantDirectory } from './fake-sites';

/**
 * For the product client's own suites and benchmark: a client over a TenantDirectory with delays
 * scaled down so a suite runs in seconds. Not in the testing entry (the client is server-only).
 */
export function fastClient(dir: TenantDirectory, fake: FakeProduct, opts: Partial<ProductClientOptions> = {}): ProductClient {
  return new ProductClient({
    appKey: TEST_APP_KEY,
    resolveTenant: dir.resolve,
    authServerUrl: fake.authServerUrl,
    timeoutMs: 30_000,
    retry: { maxRetries: 4, baseDelayMs: 5, maxDelayMs: 30, jitter: [0.7, 1.3] },
    breaker: { failureThreshold: 5, halfOpenAfterMs: 300 },
    minAttemptMs: 20,
    ...opts,
  });
}
