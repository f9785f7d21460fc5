import { findModule } from '../lib/descriptor';
import type { Emulator } from '../lib/emulator';
import { esc } from '../lib/http';
import type { Site } from '../lib/state';
import { displayName, frameHtml } from './frame';
import { appUnavailable, layout, notice } from './layout';

/**
 * General and admin pages: `/plugins/servlet/ac/{appKey}/{moduleKey}`, the iframe filling the
 * content area. The product shows admin pages to site admins only; `?force=1` loads the iframe
 * anyway so tests can prove the app enforces that itself.
 */
export async function modulePage(emu: Emulator, site: Site, appKey: string, moduleKey: string, path: string, force: boolean): Promise<string | undefined> {
  const unavailable = appUnavailable(site);
  if (unavailable) return layout({ emu, site, title: 'App', body: `<h1>App page</h1>${unavailable}`, path });
  const d = site.descriptor!;
  const m = appKey === d.key ? findModule(d, moduleKey) : undefined;
  if (!m || (m.kind !== 'general' && m.kind !== 'admin')) return undefined;
  const title = displayName(emu, site, m);
  const isAdmin = emu.actingUser()?.siteAdmin === true;
  let content: string;
  if (m.kind === 'admin' && !isAdmin && !force) {
    content = notice(
      'admin-denied',
      'You need site administrator permission to see this page.',
      `<p><a href="${esc(path)}?force=1" data-testid="admin-force">Load the app's page anyway (emulator only: checks that the app refuses too)</a></p>`,
    );
  } else {
    const location = { target: 'addonModule', context: { addonKey: d.key, moduleKey: m.key } };
    content = await frameHtml(emu, site, m, {}, { location, initialHeight: 200 });
  }
  const crumbs = m.kind === 'admin' ? '<nav class="emu-crumbs" aria-label="Breadcrumbs">Settings / Apps</nav>' : '';
  const body = `${crumbs}<h1 data-testid="page-title">${esc(title)}</h1><div class="ac-page" data-testid="page-${esc(m.key)}">${content}</div>`;
  return layout({ emu, site, title, body, path });
}
