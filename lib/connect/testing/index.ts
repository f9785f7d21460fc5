/**
 * `atlassian-connect-next/testing`: what a test of a Connect app needs from the product's side.
 */
export { MemoryTenantStore } from './memory-tenant-store';
export { createTestRuntime, type TestRuntimeOptions } from './runtime';
