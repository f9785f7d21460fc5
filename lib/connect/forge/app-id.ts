/**
 * Forge app ids. The manifest and the invocation token's `aud` use the app's ARI
 * (`ari:cloud:ecosystem::app/<uuid>`); configuration may give the bare UUID or the ARI.
 * https://developer.atlassian.com/platform/forge/remote/essentials/#the-forge-invocation-token--fit-
 */
const ARI_PREFIX = 'ari:cloud:ecosystem::app/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `ari:cloud:ecosystem::app/<uuid>` for a UUID or an ARI; throws on anything else. */
export function appAri(appId: string): string {
  const id = appId.trim();
  const uuid = id.startsWith(ARI_PREFIX) ? id.slice(ARI_PREFIX.length) : id;
  if (!UUID.test(uuid)) throw new Error('FORGE_APP_ID must be the Forge app UUID or ari:cloud:ecosystem::app/<uuid>');
  return `${ARI_PREFIX}${uuid.toLowerCase()}`;
}
