import type { Env } from '@/lib/env';
import { buildForgeManifest, type ForgeManifest, type ForgeProduct } from 'atlassian-connect-next/forge';
import { appDefinition } from './definition';

/** The Atlassian product this Connect app is listed for on the Marketplace. */
export const FORGE_PRODUCT: ForgeProduct = 'jira';

/** The endpoint module of the remote resolver (`resolver: { endpoint: ... }` of a UI module). */
export const FORGE_REMOTE_ENDPOINT = 'forge-remote';

/**
 * The reference app's Forge manifest: the same AppDefinition and the same configuration values
 * (APP_KEY, APP_BASE_URL, APP_NAME, vendor) that `descriptor()` in ./connect.ts serves, plus
 * FORGE_APP_ID. One environment's configuration in, that environment's manifest out.
 */
export function forgeManifest(e: Env): ForgeManifest {
  if (!e.FORGE_APP_ID) {
    throw new Error('FORGE_APP_ID is not set: register the app on Forge (`forge register`) and set the id it prints');
  }
  const def = appDefinition({ key: e.APP_KEY, name: e.APP_NAME, vendor: { name: e.APP_VENDOR_NAME, url: e.APP_VENDOR_URL } });
  // The remote resolver (app/forge/remote) calls the product with the invocation's tokens.
  return buildForgeManifest(def, { appId: e.FORGE_APP_ID, product: FORGE_PRODUCT, baseUrl: e.APP_BASE_URL, remoteEndpoints: [{ key: FORGE_REMOTE_ENDPOINT, path: '/forge/remote' }] });
}
