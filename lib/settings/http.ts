import 'server-only';
import { within, type CachedProductReads, type ConnectContext } from 'atlassian-connect-next';
import { readJson } from '@/lib/app/api/http';
import type { DegradedPart } from '@/lib/app/degraded';
import type { Logger } from '@/lib/log';
import type { TenantDataSummary } from '@/lib/checklists/repository';
import { saveSettingsBody, type AdminOverviewDto, type LicenseView } from './schema';
import type { SettingsService } from './service';

/** The admin page's API: an overview anyone on the site may read, and settings only site admins may write. */

export interface SettingsHttpDeps {
  settings: SettingsService;
  reads: CachedProductReads;
  summary: (clientKey: string) => Promise<TenantDataSummary>;
  renderBudgetMs: number;
  log: Pick<Logger, 'warn'>;
}

export function manageAppsUrl(ctx: ConnectContext): string {
  return `${(ctx.tenant.displayUrl ?? ctx.tenant.baseUrl).replace(/\/+$/, '')}/plugins/servlet/upm`;
}

const noStore = { 'Cache-Control': 'no-store' };

export function settingsHandlers(d: SettingsHttpDeps) {
  /**
   * The license as the admin page shows it: the product's answer (which knows evaluations)
   * within the render budget, else what the product signed into this request.
   */
  async function licenseView(ctx: ConnectContext): Promise<{ view: LicenseView; live: boolean }> {
    const r = await within(d.reads.appLicense(ctx.clientKey), Infinity);
    if (r.ok && r.value.value.present) {
      const lic = r.value.value;
      if (lic.active && lic.evaluation) return { view: 'evaluation', live: true };
      return { view: lic.active ? 'active' : 'none', live: true };
    }
    if (!r.ok) {
      d.log.warn({ clientKey: ctx.clientKey, err: (r.error as Error | undefined)?.message }, 'license lookup failed');
      if (ctx.license.param === 'absent') return { view: 'unknown', live: false };
    }
    // No license information from the product: what the signed request said, after the policy.
    return { view: ctx.license.licensed ? 'active' : 'none', live: r.ok };
  }

  return {
    /**
     * GET /api/settings. Answers within the render budget whatever the product does: a license
     * or admin answer that did not come in time is listed in `degraded`, and editing stays off
     * until the product confirms the caller is a site admin.
     */
    async overview(_req: Request, ctx: ConnectContext): Promise<Response> {
      const [stored, summary, license, admin] = await Promise.all([
        d.settings.settingsFor(ctx.clientKey),
        d.summary(ctx.clientKey),
        licenseView(ctx),
        within(d.reads.isSiteAdmin(ctx.clientKey, ctx.accountId), d.renderBudgetMs),
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
      return Response.json(body, { headers: noStore });
    },

    /** PUT /api/settings (policies: writer, siteAdmin). A stale version answers 409 with the current settings. */
    async save(req: Request, ctx: ConnectContext): Promise<Response> {
      const body = await readJson(req, saveSettingsBody);
      const saved = await d.settings.save(ctx.clientKey, { ...body, by: ctx.accountId! });
      return Response.json(saved, { headers: noStore });
    },
  };
}
