import { ConnectError } from '../errors';
import type { ConnectRuntime } from '../runtime';
import type { CachedTenant } from '../tenants/cache';
import type { ForgeInstallationStore, SiteCandidate } from './installation-store';
import type { ForgeInvocation } from './invocation-token';

/**
 * Maps a verified Forge invocation onto the Connect tenant of the same site and records the
 * Forge installation on it. Every authenticated Forge call also counts as "the site is still
 * calling" (lastSeenAt), which is what keeps retention from purging an adopted site that will
 * never send a fresh Connect `installed`.
 * https://developer.atlassian.com/platform/forge/remote/essentials/#migrating-from-connect-to-forge
 */

function pick(candidates: SiteCandidate[]): SiteCandidate | undefined {
  // An installed tenant beats an uninstalled one; among equals the newest install wins (the
  // clientKey changes when a site's data is imported into another site).
  return [...candidates].sort(
    (a, b) => Number(!!a.uninstalledAt) - Number(!!b.uninstalledAt) || b.installedAt.getTime() - a.installedAt.getTime(),
  )[0];
}

async function findTenant(rt: ConnectRuntime, store: ForgeInstallationStore, inv: ForgeInvocation): Promise<CachedTenant> {
  const linked = await store.findByInstallation(inv.installationId);
  if (linked) {
    const cached = await rt.tenants.get(linked);
    const t = cached?.tenant;
    // A stale link (another site, another product) is ignored and replaced below.
    if (t && (t.cloudId === null || t.cloudId === inv.cloudId) && t.productType === inv.product) return cached;
  }
  const candidates = await store.findBySite({ cloudId: inv.cloudId, product: inv.product, siteUrl: inv.siteUrl });
  const best = pick(candidates);
  if (candidates.filter((c) => !c.uninstalledAt).length > 1) {
    rt.log.warn({ cloudId: inv.cloudId, product: inv.product, chosen: best?.clientKey }, 'forge: several installed Connect tenants for one site; using the newest');
  }
  const cached = best ? await rt.tenants.get(best.clientKey) : null;
  if (!cached) throw new ConnectError('TENANT_UNKNOWN', 'no Connect tenant for this Forge installation');
  return cached;
}

export interface ResolveOptions {
  /** A Forge lifecycle event (installed/upgraded): also re-enables the tenant. */
  lifecycle: boolean;
}

export async function resolveForgeTenant(
  rt: ConnectRuntime,
  store: ForgeInstallationStore,
  inv: ForgeInvocation,
  opts: ResolveOptions,
): Promise<CachedTenant> {
  let cached = await findTenant(rt, store, inv);
  const t = cached.tenant;
  const now = rt.now();
  const stale = t.forgeInstallationId !== inv.installationId || t.cloudId === null || (opts.lifecycle && !t.enabled && !t.uninstalledAt);
  if (stale || opts.lifecycle) {
    await store.link(t.clientKey, { installationId: inv.installationId, cloudId: inv.cloudId, now, enable: opts.lifecycle });
    rt.touches.mark(t.clientKey, now);
    if (stale) {
      rt.tenantChanged(t.clientKey, 'forge-linked');
      rt.log.info({ clientKey: t.clientKey, installationId: inv.installationId, previous: t.forgeInstallationId }, 'forge: installation linked to tenant');
    } else {
      rt.tenants.invalidate(t.clientKey);
    }
    cached = (await rt.tenants.get(t.clientKey)) ?? cached;
  } else {
    rt.touches.touch(t.clientKey, t.lastSeenAt, now);
  }
  return cached;
}
