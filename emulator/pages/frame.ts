import { moduleName, type ModuleRef } from '../lib/descriptor';
import { projectOf, type EmuIssue } from '../lib/directory';
import type { Emulator } from '../lib/emulator';
import { esc } from '../lib/http';
import { contextVariables, signedModuleUrl, type ModuleContext } from '../lib/module-url';
import type { Site, Viewer } from '../lib/state';

/** One module iframe, built as the product builds it, plus what the host bridge needs to serve it. */

export function issueContext(issue: EmuIssue): ModuleContext {
  const project = projectOf(issue);
  return { issue: { id: issue.id, key: issue.key, typeId: issue.type.id }, project: { id: project.id, key: project.key } };
}

/** What `AP.context.getContext()` returns, and the `context` claim of context JWTs. */
export function apContext(site: Site, ctx: ModuleContext, viewer: Viewer): Record<string, unknown> {
  const license = viewer.license === 'absent' ? {} : { license: { active: viewer.license !== 'none' } };
  const url = { displayUrl: site.baseUrl };
  if (site.product === 'confluence') {
    const e = ctx.extra ?? {};
    return { confluence: { content: { id: e['page.id'] ?? '', type: 'page' }, space: { key: e['space.key'] ?? '' }, macro: { id: e['macro.id'] ?? '' } }, ...license, url };
  }
  const jira: Record<string, unknown> = {};
  if (ctx.issue) jira.issue = { id: ctx.issue.id, key: ctx.issue.key, issuetypeid: ctx.issue.typeId };
  if (ctx.project) jira.project = { id: ctx.project.id, key: ctx.project.key };
  return { jira, ...license, url };
}

/** The signed iframe `src` for the given viewer (default: the current switcher values). */
export async function frameSrc(emu: Emulator, site: Site, m: ModuleRef, ctx: ModuleContext, viewer: Viewer = emu.viewer): Promise<string> {
  const d = site.descriptor;
  if (!d || !site.sharedSecret) throw new Error('the app is not installed on this site');
  return signedModuleUrl({
    appBaseUrl: d.baseUrl,
    template: m.url,
    context: ctx,
    params: {
      siteBaseUrl: site.baseUrl,
      appKey: d.key,
      moduleKey: m.key,
      license: viewer.license,
      licensing: d.enableLicensing === true,
      locale: emu.productLocale(viewer),
      timeZone: emu.timeZone(viewer),
    },
    clientKey: site.clientKey,
    sharedSecret: site.sharedSecret,
    accountId: emu.actingUser(viewer)?.accountId,
    ttlSeconds: emu.settings.pageTokenTtlSeconds,
  });
}

export function displayName(emu: Emulator, site: Site, m: ModuleRef): string {
  return moduleName(m, site.translations, site.descriptor?.translations?.paths, emu.viewer.locale);
}

export interface FrameOptions {
  location: { target: string; context: Record<string, string> };
  /** Glances load their iframe only when opened. */
  deferred?: boolean;
  initialHeight?: number;
}

/** The iframe sandbox Jira Cloud sets on Connect iframes. */
const SANDBOX =
  'allow-downloads allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox allow-scripts allow-same-origin allow-top-navigation-by-user-activation allow-storage-access-by-user-activation';

/**
 * A placeholder the product page's glue (public/glue.js) turns into the module's iframe with
 * Atlassian's `connectHost.create(extension)`. The extension is `{ addon_key, key, url, options }`
 * as connect-host.js takes it; `options` travels to the app in the iframe's `name` (nothing
 * secret in it): the library reads `isFullPage` (sizeToParent), `autoresize`, `width`/`height`,
 * `sandbox` and `hostOrigin`; `structuredContext`, `navigatorLocation` and `productContext` are
 * read back by the glue (the `context` and `navigator` modules, the content resolver).
 */
export async function frameHtml(emu: Emulator, site: Site, m: ModuleRef, ctx: ModuleContext, opts: FrameOptions): Promise<string> {
  const d = site.descriptor!;
  const extension = {
    addon_key: d.key,
    key: m.key,
    url: await frameSrc(emu, site, m, ctx),
    options: {
      width: '100%',
      height: `${opts.initialHeight ?? 80}px`,
      // The product lets every page module follow its content unless the app says otherwise
      // (data-options on its AP.js script: resize:false, sizeToParent:true).
      autoresize: true,
      isFullPage: m.kind === 'general' || m.kind === 'admin',
      moduleType: m.type,
      moduleLocation: m.location ?? null,
      sandbox: SANDBOX,
      structuredContext: apContext(site, ctx, emu.viewer),
      // `issue.key`-style variables, as Jira passes them; the content resolver signs a fresh URL from them.
      productContext: contextVariables(ctx),
      navigatorLocation: opts.location,
    },
  };
  const attrs = { title: displayName(emu, site, m), 'data-testid': `ac-frame-${m.key}`, 'data-ac-module': m.key, allow: 'clipboard-write' };
  return `<div class="ac-frame" data-ac-extension="${esc(JSON.stringify(extension))}" data-ac-attrs="${esc(JSON.stringify(attrs))}"${opts.deferred ? ' data-ac-deferred="true"' : ''}></div>`;
}
