import type { Emulator } from '../lib/emulator';
import { esc } from '../lib/http';
import type { Site } from '../lib/state';
import { layout } from './layout';

const LICENSE_TEXT: Record<string, string> = {
  active: 'Active license',
  evaluation: 'Evaluation license',
  none: 'No license (the app receives lic=none)',
  absent: 'License not reported (the app receives no lic)',
};

/**
 * Manage apps (`/plugins/servlet/upm`): where the app sends admins for licensing, through
 * `AP.navigator.go('site', { relativeUrl: '/plugins/servlet/upm' })` or a plain link.
 */
export function manageAppsPage(emu: Emulator, site: Site, path: string): string {
  const d = site.descriptor;
  const status = !site.installed ? 'not installed' : site.enabled ? 'enabled' : 'disabled';
  const app = d
    ? `<section class="emu-card" data-testid="upm-app-${esc(d.key)}" aria-labelledby="upm-app-h"><h2 id="upm-app-h">${esc(d.name)}</h2>
<dl class="emu-kv"><dt>Key</dt><dd><code>${esc(d.key)}</code></dd><dt>Status</dt><dd data-testid="upm-status">${esc(status)}</dd>
<dt>License</dt><dd data-testid="upm-license">${esc(LICENSE_TEXT[emu.viewer.license] ?? emu.viewer.license)}</dd></dl>
<p><a href="/_emu">Install, uninstall or change the license in the emulator controls</a></p></section>`
    : '<p data-testid="upm-empty">No apps installed from a descriptor.</p>';
  const body = `<nav class="emu-crumbs" aria-label="Breadcrumbs">Settings / Apps</nav><h1 data-testid="page-title">Manage apps</h1>${app}`;
  return layout({ emu, site, title: 'Manage apps', body, path });
}
