import 'server-only';
import { type ConnectContext, ConnectError, type Tenant } from 'atlassian-connect-next';
import { z } from 'zod';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { deleteSiteData, tenantRef, type SiteDataCounts } from '@/lib/retention/site-data';
import { exportSiteData, streamOf } from './site-export';

/**
 * The admin data controls: export everything the app stores for the site, and delete it all
 * now. The installation itself (tenant row, lifecycle audit) stays, so the app keeps working
 * on an empty slate. Routes: app/api/admin/data/{export,delete-all}/route.ts (see http.ts).
 */

/** What an admin types to confirm: the site's host as people see it (e.g. `acme.atlassian.net`). */
export function siteHost(tenant: Pick<Tenant, 'baseUrl' | 'displayUrl'>): string {
  return new URL(tenant.displayUrl ?? tenant.baseUrl).host.toLowerCase();
}

export const deleteAllBody = z.object({ confirm: z.string().trim().min(1).max(255) }).strict();

export async function deleteAllSiteData(prisma: PrismaClient, tenant: Tenant, confirm: string): Promise<SiteDataCounts> {
  if (confirm.trim().toLowerCase() !== siteHost(tenant)) {
    throw new ConnectError('VALIDATION_FAILED', 'confirmation does not match the site', {
      issues: [{ path: 'confirm', message: 'Type the site address exactly as shown to confirm' }],
      publicMessage: 'Confirmation does not match the site',
    });
  }
  return prisma.$transaction((tx) => deleteSiteData(tx, tenant.clientKey));
}

export function exportFilename(tenant: Tenant, now: Date): string {
  const host = siteHost(tenant).replace(/[^a-z0-9.-]/g, '_');
  return `checklists-${host}-${now.toISOString().slice(0, 10)}.json`;
}

/** The export as a download (Content-Disposition: attachment). */
export function exportResponse(prisma: PrismaClient, ctx: ConnectContext, now: Date): Response {
  return new Response(streamOf(exportSiteData(prisma, ctx.clientKey, now)), {
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${exportFilename(ctx.tenant, now)}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export { tenantRef };
