import 'server-only';
import { ConnectError, errorResponse, type ConnectHandler, type PageOptions, type PolicyOptions } from 'atlassian-connect-next';
import type { ForgeHandler } from 'atlassian-connect-next/forge';
import { descriptorRoute, lazy, lifecycleRoutes, type NextRouteHandler } from 'atlassian-connect-next/next';
import { checklistHandlers } from '@/lib/checklists/http';
import { adminDataHandlers } from '@/lib/gdpr/http';
import { preferencesHandlers } from '@/lib/preferences/http';
import { settingsHandlers } from '@/lib/settings/http';
import { describeContext } from './context-response';
import { describeForgeInvocation } from './forge-remote';
import { live } from './health';
import { metricsAuthorized } from './metrics';
import { pageHandlers, panelScope } from './pages';
import { app, type App } from './root';

/**
 * Every route of the app with its token kind and access policies, in one table: a reviewer reads
 * here who may call what. Each app/**\/route.ts exports one entry. Handlers are bound to the
 * composition root on their first request (`next build` imports route modules with no config).
 */

const features = (a: App) => ({
  pages: pageHandlers({ renderShell: a.renderShell, apJsUrl: a.env.AP_JS_URL }),
  checklists: checklistHandlers(a.checklists),
  preferences: preferencesHandlers(a.preferences),
  settings: settingsHandlers({ settings: a.settings, reads: a.connect.reads, summary: a.checklists.summary, renderBudgetMs: a.env.PRODUCT_RENDER_BUDGET_MS, log: a.log }),
  adminData: adminDataHandlers({
    prisma: a.db.prisma,
    reads: a.connect.reads,
    connect: a.connect,
    retentionDays: a.env.RETENTION_DAYS,
    renderBudgetMs: a.env.PRODUCT_RENDER_BUDGET_MS,
    log: a.log,
    issueProperties: {
      issuesWithChecklist: (clientKey) => allChecklistIssues(a, clientKey),
      reset: async (clientKey, issueIds) => {
        for (const issueId of issueIds) await a.background.scheduleIssueProperty(clientKey, issueId);
      },
    },
  }),
});
type Features = ReturnType<typeof features>;

async function allChecklistIssues(a: App, clientKey: string): Promise<string[]> {
  const issues: string[] = [];
  for (let page = await a.checklistRepo.checklistIssues(clientKey, undefined, 1000); page.length; page = await a.checklistRepo.checklistIssues(clientKey, page.at(-1), 1000)) issues.push(...page);
  return issues;
}

const bound = new WeakMap<App, Features>();
async function resolve(): Promise<{ a: App; f: Features }> {
  const a = await app();
  let f = bound.get(a);
  if (!f) bound.set(a, (f = features(a)));
  return { a, f };
}

const page = (pick: (f: Features) => ConnectHandler, opts: PageOptions): NextRouteHandler =>
  lazy(async () => {
    const { a, f } = await resolve();
    return a.connect.withPageAuth(pick(f), opts);
  });

const api = (pick: (f: Features) => ConnectHandler, opts: PolicyOptions = {}): NextRouteHandler =>
  lazy(async () => {
    const { a, f } = await resolve();
    return a.connect.withApiAuth(pick(f), opts);
  });

const forgeOff = (a: App) => errorResponse(a.connect.runtime, new ConnectError('NOT_FOUND', 'FORGE_APP_ID is not set'));

const forge = (handler: ForgeHandler): NextRouteHandler =>
  lazy(async () => {
    const a = await app();
    return a.forge ? a.forge.withForgeAuth(handler) : async () => forgeOff(a);
  });

/** The admin page and the configure page (module `admin`). */
const ADMIN_PAGE = { modules: ['admin'] } as const;

/** `GET /metrics`: Prometheus text for the bearer of METRICS_TOKEN; 404 while it is unset. */
const metricsRoute = lazy(async () => {
  const a = await app();
  const token = a.env.METRICS_TOKEN;
  const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    Response.json({ error: { code, message } }, { status, headers: { 'cache-control': 'no-store', ...headers } });
  return async (req) => {
    if (!token) return refuse(404, 'NOT_FOUND', 'metrics are off (METRICS_TOKEN is not set)');
    if (!metricsAuthorized(req.headers.get('authorization'), token)) {
      return refuse(401, 'UNAUTHORIZED', 'a valid bearer token is required', { 'www-authenticate': 'Bearer realm="metrics"' });
    }
    return new Response(await a.metrics.registry.metrics(), { headers: { 'content-type': a.metrics.registry.contentType, 'cache-control': 'no-store' } });
  };
});

export const routes = {
  // Operations: health for load balancers and Atlassian's availability check (unauthenticated,
  // no data), metrics behind their own token.
  health: live,
  ready: lazy(async () => {
    const a = await app();
    return () => a.health.ready();
  }),
  metrics: metricsRoute,

  descriptor: descriptorRoute(async () => (await app()).connect),
  lifecycle: lifecycleRoutes(async () => (await app()).connect),

  // Iframe pages (page JWT + qsh); each issues a session token for its module.
  panelPage: page((f) => f.pages.panel, { module: 'panel', scope: panelScope }),
  adminPage: page((f) => f.pages.admin, { module: 'admin' }),
  generalPage: page((f) => f.pages.general, { module: 'general' }),

  // The iframes' JSON API (session token or context JWT).
  context: api(() => describeContext),
  checklist: {
    get: api((f) => f.checklists.get, { scope: 'issue' }),
    addItem: api((f) => f.checklists.create, { scope: 'issue', require: ['writer'] }),
    updateItem: api((f) => f.checklists.update, { scope: 'issue', require: ['writer'] }),
    moveItem: api((f) => f.checklists.move, { scope: 'issue', require: ['writer'] }),
    deleteItem: api((f) => f.checklists.remove, { scope: 'issue', require: ['writer'] }),
  },
  preferences: {
    get: api((f) => f.preferences.get),
    put: api((f) => f.preferences.put, { require: ['writer'] }),
  },
  settings: {
    overview: api((f) => f.settings.overview),
    // Settings, export and delete-all only from the admin page's own session (not a panel's or a
    // context JWT), delete-all from a recent one.
    save: api((f) => f.settings.save, { require: ['writer', 'siteAdmin'], session: ADMIN_PAGE }),
  },
  adminData: {
    summary: api((f) => f.adminData.summary),
    // A customer's right to their data does not lapse with the license: admins only, asked now.
    export: api((f) => f.adminData.export, { require: ['siteAdminNow'], session: ADMIN_PAGE }),
    deleteAll: api((f) => f.adminData.deleteAll, { require: ['siteAdminNow'], session: { ...ADMIN_PAGE, maxAgeSeconds: 600 } }),
  },

  // Webhooks from the product (JWT with qsh in the Authorization header): recorded as jobs, 204.
  webhook: lazy(async () => {
    const a = await app();
    return a.connect.withWebhookAuth(a.background.receiveWebhook);
  }),

  // "Connect on Forge": Forge invocation tokens only (404 while FORGE_APP_ID is unset).
  forgeRemote: forge(describeForgeInvocation),
  forgeLifecycle: lazy(async () => {
    const a = await app();
    return a.forge ? a.forge.lifecycleRoute : async () => forgeOff(a);
  }),
};

/**
 * The same routes by method and path, for the app server (server/), which answers them itself
 * before Next's pipeline. A unit test keeps this list equal to the app/ route files.
 */
export interface RouteEntry {
  method: string;
  path: string;
  handler: NextRouteHandler;
  /** What the app server's metrics count this route as, beside requests by route. */
  counts?: { page: string } | 'lifecycle' | 'webhook';
}

export const routeTable: readonly RouteEntry[] = [
  { method: 'GET', path: '/health', handler: routes.health },
  { method: 'GET', path: '/health/ready', handler: routes.ready },
  { method: 'GET', path: '/metrics', handler: routes.metrics },
  { method: 'GET', path: '/atlassian-connect.json', handler: routes.descriptor },
  { method: 'POST', path: '/lifecycle/[event]', handler: routes.lifecycle, counts: 'lifecycle' },
  { method: 'GET', path: '/panel/issue', handler: routes.panelPage, counts: { page: 'panel' } },
  { method: 'GET', path: '/admin', handler: routes.adminPage, counts: { page: 'admin' } },
  { method: 'GET', path: '/general', handler: routes.generalPage, counts: { page: 'general' } },
  { method: 'GET', path: '/api/context', handler: routes.context },
  { method: 'GET', path: '/api/checklists/[issueId]', handler: routes.checklist.get },
  { method: 'POST', path: '/api/checklists/[issueId]/items', handler: routes.checklist.addItem },
  { method: 'PATCH', path: '/api/checklists/[issueId]/items/[itemId]', handler: routes.checklist.updateItem },
  { method: 'DELETE', path: '/api/checklists/[issueId]/items/[itemId]', handler: routes.checklist.deleteItem },
  { method: 'POST', path: '/api/checklists/[issueId]/items/[itemId]/move', handler: routes.checklist.moveItem },
  { method: 'GET', path: '/api/preferences', handler: routes.preferences.get },
  { method: 'PUT', path: '/api/preferences', handler: routes.preferences.put },
  { method: 'GET', path: '/api/settings', handler: routes.settings.overview },
  { method: 'PUT', path: '/api/settings', handler: routes.settings.save },
  { method: 'GET', path: '/api/admin/data', handler: routes.adminData.summary },
  { method: 'GET', path: '/api/admin/data/export', handler: routes.adminData.export },
  { method: 'POST', path: '/api/admin/data/delete-all', handler: routes.adminData.deleteAll },
  { method: 'GET', path: '/forge/remote', handler: routes.forgeRemote },
  { method: 'POST', path: '/forge/remote', handler: routes.forgeRemote },
  { method: 'POST', path: '/forge/lifecycle/[event]', handler: routes.forgeLifecycle },
  { method: 'POST', path: '/webhooks/[name]', handler: routes.webhook, counts: 'webhook' },
];
