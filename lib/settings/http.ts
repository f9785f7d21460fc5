import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { conflict, readJson, requireWriter } from '@/lib/app/api/http';
import { productPort } from '@/lib/app/product';
import { tenantSummary } from '@/lib/checklists/repository';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { isSiteAdmin, requireSiteAdmin } from './admin';
import { appLicense } from './license';
import { SettingsConflictError } from './repository';
import { saveSettingsBody, type AdminOverviewDto, type LicenseView } from './schema';
import { saveSettings, settingsFor } from './service';

/** The admin page's API: an overview anyone on the site may read, and settings only site admins may write. */

export function manageAppsUrl(ctx: RequestContext): string {
  return `${(ctx.tenant.displayUrl ?? ctx.tenant.baseUrl).replace(/\/+$/, '')}/plugins/servlet/upm`;
}

async function licenseView(ctx: RequestContext): Promise<LicenseView> {
  try {
    const lic = await appLicense(productPort(), ctx.tenant, env().APP_KEY);
    if (lic.evaluation) return 'evaluation';
    if (lic.param === 'active') return 'active';
    if (lic.param === 'none') return 'none';
  } catch (err) {
    log().warn({ clientKey: ctx.clientKey, err: (err as Error).message }, 'license lookup failed');
    if (ctx.license.param === 'absent') return 'unknown';
  }
  // No license information from the product: what the signed request said, after the policy.
  return ctx.license.licensed ? 'active' : 'none';
}

export async function adminOverviewHandler(_req: Request, ctx: RequestContext): Promise<Response> {
  const [stored, summary, view, canEdit] = await Promise.all([
    settingsFor(ctx.clientKey),
    tenantSummary(ctx.clientKey),
    licenseView(ctx),
    isSiteAdmin(productPort(), ctx.tenant, ctx.accountId).catch(() => false),
  ]);
  const body: AdminOverviewDto = {
    settings: stored.settings,
    version: stored.version,
    canEdit: canEdit && ctx.license.licensed,
    license: { view, param: ctx.license.param, licensed: ctx.license.licensed },
    summary,
    manageAppsUrl: manageAppsUrl(ctx),
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
