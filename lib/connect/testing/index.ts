/**
 * `atlassian-connect-next/testing`: the product's side of Connect for an app's tests and
 * benchmarks. Tokens signed as Atlassian signs them (qsh from `atlassian-jwt`, never the
 * framework's own), the install-keys and Forge JWKS servers, a fake product REST API that checks
 * the app's calls the way the product does, a tenant store in memory and a runtime for wrapper
 * tests. Nothing here is server-only, so any test runner can load it.
 * Test tooling only: nothing in the framework or an app's production code imports it.
 */
export { productQsh } from './qsh';
export {
  lifecyclePayload,
  newInstallKeyPair,
  signContextToken,
  signInstallToken,
  signSymmetricToken,
  type InstallKeyPair,
  type InstallTokenInput,
  type LifecycleEvent,
  type SymmetricTokenInput,
} from './signers';
export { InstallKeysServer } from './install-keys-server';
export { ForgeJwksServer, installationAri, newForgeKey, signInvocationToken, type ForgeKey, type InvocationInput } from './forge-tokens';
export { MemoryTenantStore } from './memory-tenant-store';
export { createTestRuntime, type TestRuntimeOptions } from './runtime';
export { FakeProduct, type Caller, type FakeLicense, type FakeSite, type Fault, type RecordedRequest } from './fake-product';
export { newFakeSite, tenantOf, TenantDirectory, TEST_APP_KEY, TestClock } from './fake-sites';
