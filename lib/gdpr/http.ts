import 'server-only';
import { within, type CachedProductReads, type Connect, type ConnectContext } from 'atlassian-connect-next';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Logger } from '@/lib/log';
import { readJson } from '@/lib/app/api/http';
import type { DegradedPart } from '@/lib/app/degraded';
import { POLICY_PATHS } from '@/lib/policies/paths';
import { deleteAllBody, deleteAllSiteData, exportResponse, siteHost, tenantRef } from './admin-data';

/**
 * Handlers for app/api/admin/data/**. Export and delete-all are for site admins only, as the
 * product answers it now (the routes require `siteAdminNow`: a demoted admin cannot delete on a
 * minute-old answer). Neither needs an active license: a customer's right to their data does
 * not lapse with it.
 */

/** What the admin page's data controls show. */
export interface DataControlsDto {
  siteHost: string;
  retentionDays: number;
  canManage: boolean;
  links: { privacy: string; security: string };
  /** ['admin'] when the product did not say in time whether the caller is a site admin (the buttons stay off). */
  degraded?: DegradedPart[];
}

export interface AdminDataDeps {
  prisma: PrismaClient;
  reads: CachedProductReads;
  connect: Pick<Connect, 'tenantChanged'>;
  retentionDays: number;
  renderBudgetMs: number;
  log: Pick<Logger, 'info'>;
  /**
   * The issues' properties in Jira still show their progress after delete-all: the issues that
   * had a checklist are listed before the deletion and their properties reset after it.
   */
  issueProperties?: { issuesWithChecklist(clientKey: string): Promise<string[]>; reset(clientKey: string, issueIds: readonly string[]): Promise<void> };
}

export function adminDataHandlers(d: AdminDataDeps) {
  return {
    /**
     * GET /api/admin/data: anyone on the site may read it; `canManage` says whether the buttons
     * work. Answers within the render budget: an admin check that did not come back in time is `degraded`.
     */
    async summary(_req: Request, ctx: ConnectContext): Promise<Response> {
      const admin = await within(d.reads.isSiteAdmin(ctx.clientKey, ctx.accountId), d.renderBudgetMs);
      const body: DataControlsDto = {
        siteHost: siteHost(ctx.tenant),
        retentionDays: d.retentionDays,
        canManage: admin.ok && admin.value,
        links: POLICY_PATHS,
        ...(admin.ok ? {} : { degraded: ['admin'] }),
      };
      return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
    },

    /** GET /api/admin/data/export */
    async export(_req: Request, ctx: ConnectContext): Promise<Response> {
      d.log.info({ tenant: tenantRef(ctx.clientKey) }, 'admin: site data exported');
      return exportResponse(d.prisma, ctx, new Date());
    },

    /** POST /api/admin/data/delete-all  `{ "confirm": "<site host>" }` */
    async deleteAll(req: Request, ctx: ConnectContext): Promise<Response> {
      const body = await readJson(req, deleteAllBody, 4096);
      const issues = (await d.issueProperties?.issuesWithChecklist(ctx.clientKey)) ?? [];
      const deleted = await deleteAllSiteData(d.prisma, ctx.tenant, body.confirm);
      await d.issueProperties?.reset(ctx.clientKey, issues);
      // Every cache that mirrors this site's data (settings, names, admin answers) lets go of it.
      d.connect.tenantChanged(ctx.clientKey, 'data-deleted');
      d.log.info({ tenant: tenantRef(ctx.clientKey), deleted }, 'admin: all site data deleted');
      return Response.json({ deleted }, { headers: { 'Cache-Control': 'no-store' } });
    },
  };
}
