/**
 * `atlassian-connect-next/forge`: "Connect on Forge". Invocation-token routes mapped onto the
 * Connect tenants, and the Forge manifest built from the same AppDefinition as the descriptor.
 * Validation of the manifest and YAML output are in `/forge/tooling` (CLI dependencies).
 */
export { createForge, FORGE_JWKS_URL, type Forge, type ForgeOptions } from './create-forge';
export { buildForgeManifest, forgeScope, FORGE_TOKEN_SCOPES, type ForgeEndpoint, type ForgeEndpointAuth, CONNECT_LIFECYCLE_PATHS, type ForgeManifest, type ForgeManifestOptions, type ForgeProduct, type ForgeRuntime } from './manifest';
export { FORGE_LIFECYCLE_PATHS, isForgeLifecycleEvent, type ForgeLifecycleEvent } from './lifecycle-paths';
export { appAri } from './app-id';
export { verifyForgeInvocationToken, forgeJwks, FIT_ISSUER, type ForgeInvocation, type ForgeClaims, type ForgeJwksOptions } from './invocation-token';
export type { ForgeInstallationStore, ForgeLink, SiteCandidate } from './installation-store';
export type { ForgeHandler, ForgeProductCalls, ForgeRequestContext } from './wrappers';
