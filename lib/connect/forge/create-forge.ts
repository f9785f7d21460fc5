import type { Connect } from '../create-connect';
import { ConnectError } from '../errors';
import { errorResponse, type RouteParams } from '../wrappers';
import type { ForgeInstallationStore } from './installation-store';
import { forgeJwks } from './invocation-token';
import { isForgeLifecycleEvent } from './lifecycle-paths';
import { createForgeWrappers, type ForgeHandler } from './wrappers';

export interface ForgeOptions {
  /** The Forge app id (UUID or `ari:cloud:ecosystem::app/<uuid>`); `aud` of every invocation token. */
  appId: string;
  /** The Forge environment this deployment serves; tokens from another are refused. */
  environment?: 'development' | 'staging' | 'production';
  /** Where Forge's signing keys are (default Forge's JWKS). */
  jwksUrl?: string;
  /** After a successful JWKS fetch, an unknown `kid` refetches at most this often (default 30 s). */
  jwksCooldownMs?: number;
  installations: ForgeInstallationStore;
}

export interface Forge {
  /** Remote resolvers and other Forge → remote calls: `Authorization: Bearer <invocation token>`. */
  withForgeAuth(handler: ForgeHandler): (req: Request, route: RouteParams) => Promise<Response>;
  /** `POST /forge/lifecycle/{installed|upgraded}` (an unknown event is a 404). */
  lifecycleRoute(req: Request, route: RouteParams): Promise<Response>;
}

export const FORGE_JWKS_URL = 'https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json';

/**
 * "Connect on Forge" for a Connect app built with createConnect: invocation-token routes that
 * map Forge installations onto the Connect tenants of the same sites.
 * https://developer.atlassian.com/platform/adopting-forge-from-connect/
 */
export function createForge(connect: Connect, o: ForgeOptions): Forge {
  const w = createForgeWrappers({
    rt: connect.runtime,
    keys: forgeJwks({ url: o.jwksUrl ?? FORGE_JWKS_URL, cooldownMs: o.jwksCooldownMs ?? 30_000 }),
    installations: o.installations,
    appId: o.appId,
    environment: o.environment,
    product: connect.product,
  });
  return {
    withForgeAuth: (handler) => w.withForgeAuth(handler),
    lifecycleRoute: async (req, route) => {
      const { event } = await route.params;
      if (typeof event !== 'string' || !isForgeLifecycleEvent(event)) return errorResponse(connect.runtime, new ConnectError('NOT_FOUND', 'unknown Forge lifecycle event'));
      return w.forgeLifecycleRoute(event)(req);
    },
  };
}
