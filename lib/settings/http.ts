import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { conflict, readJson, requireWriter } from '@/lib/app/api/http';
import { productPort } from '@/lib/app/product';
import { tenantSummary } from '@/lib/checklists/repository';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import type { DegradedPart } from '@/lib/app/degraded';
import { renderBudgetMs, within } from '@/lib/app/render-budget';
import { isSiteAdmin, requireSiteAdmin } from './admin';
import { appLicense } from './license';
import { SettingsConflictError } from './repository';
import { saveSettingsBody, type AdminOverviewDto, type LicenseView } from './schema';
import { saveSettings, settingsFor } from './service';

/** The admin page's API: an overview anyone on the site may read, and settings only site admins may write. */

export function manageAppsUrl(ctx: RequestContext): string {
  return `${(ctx.tenant.displayUrl ?? ctx.tenant.baseUrl).replace(/\/+$/, '')}/plugins/servlet/upm`;
}

/**
 * The license as the admin page shows it: the product's answer (which knows evaluations)
 * within the render budget, else what the product signed into this request.
 */
async function licenseView(ctx: RequestContext): Promise<{ view: LicenseView; live: boolean }> {
  const r = await within(appLicense(productPort(), ctx.tenant, env().APP_KEY, { staleAfterMs: renderBudgetMs() }));
  if (r.ok) {
    const lic = r.value;
    if (lic.evaluation) return { view: 'evaluation', live: true };
    if (lic.param === 'active') return { view: 'active', live: true };
    if (lic.param === 'none') return { view: 'none', live: true };
  } else {
    log().warn({ clientKey: ctx.clientKey, err: r.late ? 'over the render budget' : (r.error as Error).message }, 'license lookup failed');
    if (ctx.license.param === 'absent') return { view: 'unknown', live: false };
  }
  // No license information from the product: what the signed request said, after the policy.
  return { view: ctx.license.licensed ? 'active' : 'none', live: r.ok };
}

/**
 * GET /api/settings. Answers within the render budget whatever the product does: a license or
 * admin answer that did not come in time is listed in `degraded`, and editing stays off until
 * the product confirms the caller is a site admin.
 */
export async function adminOverviewHandler(_req: Request, ctx: RequestContext): Promise<Response> {
  const [stored, summary, license, admin] = await Promise.all([
    settingsFor(ctx.clientKey),
    tenantSummary(ctx.clientKey),
    licenseView(ctx),
    within(isSiteAdmin(productPort(), ctx.tenant, ctx.accountId)),
  ]);
  const degraded: DegradedPart[] = [...(license.live ? [] : ['license' as const]), ...(admin.ok ? [] : ['admin' as const])];
  const body: AdminOverviewDto = {
    settings: stored.settings,
    version: stored.version,
    canEdit: admin.ok && admin.value && ctx.license.licensed,
    license: { view: license.view, param: ctx.license.param, licensed: ctx.license.licensed },
    summary,
    manageAppsUrl: manageAppsUrl(ctx),
    ...(degraded.length ? { degraded } : {}),
  };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
}

export async function saveSettingsHandler(req: Request, ctx: RequestContext): Promise<Response> {
  const accountId = requireWriter(ctx);
  await requireSiteAdmin(productPort(), ctx.tenant, accountId);
  const body = await readJson(req, saveSettingsBody);
  try {
    const saved = await saveSettings(ctx.clientKey, { ...body, by: accountId });
    return Response.json(saved, { headers: { 'Cache-Control': 'no-store' } });
  } catch (err) {
    if (err instanceof SettingsConflictError) return conflict('CONFLICT', err.publicMessage, err.current);
    throw err;
  }
}
