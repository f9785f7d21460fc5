import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { db } from '@/lib/db';
import { log } from '@/lib/log';
import { readJson } from '@/lib/app/api/http';
import { productPort } from '@/lib/app/product';
import type { DegradedPart } from '@/lib/app/degraded';
import { within } from '@/lib/app/render-budget';
import { runtime } from '@/lib/app/connect';
import { forgetAdminAnswers, isSiteAdmin, requireSiteAdmin } from '@/lib/settings/admin';
import { env } from '@/lib/env';
import { POLICY_PATHS } from '@/lib/policies/paths';
import { forgetDisplayNames } from '@/lib/checklists/people';
import { checklistIssues } from '@/lib/checklists/repository';
import { scheduleIssueProperty } from '@/lib/app/jobs';
import { deleteAllBody, deleteAllSiteData, exportResponse, siteHost, tenantRef } from './admin-data';

/**
 * Handlers for app/api/admin/data/**: site admins only, as the product answers it live (a
 * cached "yes" is dropped first, so a demoted admin cannot delete on a minute-old answer).
 * Neither needs an active license: a customer's right to their data does not lapse with it.
 */

async function requireAdminNow(ctx: RequestContext): Promise<void> {
  forgetAdminAnswers(ctx.clientKey);
  await requireSiteAdmin(productPort(), ctx.tenant, ctx.accountId);
}

/** What the admin page's data controls show. */
export interface DataControlsDto {
  siteHost: string;
  retentionDays: number;
  canManage: boolean;
  links: { privacy: string; security: string };
  /** ['admin'] when the product did not say in time whether the caller is a site admin (the buttons stay off). */
  degraded?: DegradedPart[];
}

/**
 * GET /api/admin/data: anyone on the site may read it; `canManage` says whether the buttons
 * work. Answers within the render budget: an admin check that did not come back in time is `degraded`.
 */
export async function dataSummaryHandler(_req: Request, ctx: RequestContext): Promise<Response> {
  const admin = await within(isSiteAdmin(productPort(), ctx.tenant, ctx.accountId));
  const body: DataControlsDto = {
    siteHost: siteHost(ctx.tenant),
    retentionDays: env().RETENTION_DAYS,
    canManage: admin.ok && admin.value,
    links: POLICY_PATHS,
    ...(admin.ok ? {} : { degraded: ['admin'] }),
  };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
}

/** GET /api/admin/data/export */
export async function exportDataHandler(_req: Request, ctx: RequestContext): Promise<Response> {
  await requireAdminNow(ctx);
  log().info({ tenant: tenantRef(ctx.clientKey) }, 'admin: site data exported');
  return exportResponse(await db(), ctx, new Date());
}

/** POST /api/admin/data/delete-all  `{ "confirm": "<site host>" }` */
export async function deleteAllDataHandler(req: Request, ctx: RequestContext): Promise<Response> {
  await requireAdminNow(ctx);
  const body = await readJson(req, deleteAllBody, 4096);
  // The issues' properties in Jira still show their progress: they are reset once the data is gone.
  const issues: string[] = [];
  for (let page = await checklistIssues(ctx.clientKey, undefined, 1000); page.length; page = await checklistIssues(ctx.clientKey, page.at(-1), 1000)) issues.push(...page);
  const deleted = await deleteAllSiteData(await db(), ctx.tenant, body.confirm);
  for (const issueId of issues) await scheduleIssueProperty(ctx.clientKey, issueId);
  // In-process caches of settings, names, admin answers: the data they mirror is gone.
  runtime().onTenantChange(ctx.clientKey);
  forgetDisplayNames(ctx.clientKey);
  log().info({ tenant: tenantRef(ctx.clientKey), deleted }, 'admin: all site data deleted');
  return Response.json({ deleted }, { headers: { 'Cache-Control': 'no-store' } });
}
