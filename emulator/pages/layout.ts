import { listModules } from '../lib/descriptor';
import { ACTING_USERS, ISSUES } from '../lib/directory';
import type { Emulator } from '../lib/emulator';
import { esc } from '../lib/http';
import { LANGUAGE_NAMES } from '../../lib/i18n/locales';
import { LICENSES, LOCALES, type EmuLocale, type Site } from '../lib/state';
import { displayName } from './frame';

/** The product chrome around every emulated page: navigation, the viewer switcher, flags. */

const LICENSE_LABELS: Record<string, string> = { active: 'active', evaluation: 'evaluation (lic=active)', none: 'none', absent: 'absent (no lic)' };

function options(values: readonly string[], current: string, label: (v: string) => string): string {
  return values.map((v) => `<option value="${esc(v)}"${v === current ? ' selected' : ''}>${esc(label(v))}</option>`).join('');
}

export function switcher(emu: Emulator, action: string): string {
  const v = emu.viewer;
  return `<form class="emu-switcher" method="get" action="${esc(action)}" data-testid="emu-switcher" aria-label="Emulator: who is looking">
  <label>User <select name="as" data-testid="switch-user">${options(ACTING_USERS.map((u) => u.key), v.user, (k) => ACTING_USERS.find((u) => u.key === k)!.label)}</select></label>
  <label>Language <select name="loc" data-testid="switch-locale">${options(LOCALES, v.locale, (l) => LANGUAGE_NAMES[l as EmuLocale])}</select></label>
  <label>License <select name="lic" data-testid="switch-license">${options(LICENSES, v.license, (l) => LICENSE_LABELS[l] ?? l)}</select></label>
  <button type="submit">Apply</button>
</form>`;
}

function nav(emu: Emulator, site: Site): string {
  const jira = emu.site('jira');
  const d = jira.descriptor;
  const mods = d && jira.installed && jira.enabled ? listModules(d) : [];
  const link = (href: string, text: string, testid: string) => `<li><a href="${esc(href)}" data-testid="${esc(testid)}">${esc(text)}</a></li>`;
  const issues = ISSUES.map((i) => link(`${jira.baseUrl}/browse/${i.key}`, i.key, `nav-issue-${i.key}`)).join('');
  const pages = mods
    .filter((m) => m.kind === 'general' && m.type === 'generalPages')
    .map((m) => link(`${jira.baseUrl}/plugins/servlet/ac/${d!.key}/${m.key}`, displayName(emu, jira, m), `nav-general-${m.key}`))
    .join('');
  const admin = mods
    .filter((m) => m.type === 'adminPages')
    .map((m) => link(`${jira.baseUrl}/plugins/servlet/ac/${d!.key}/${m.key}`, displayName(emu, jira, m), `nav-admin-${m.key}`))
    .join('');
  const conf = emu.site('confluence');
  return `<nav class="emu-nav" aria-label="Product">
  <span class="emu-brand">${site.product === 'jira' ? 'Jira' : 'Confluence'} <small>emulator</small></span>
  <ul>${issues}${pages}${admin ? `<li class="emu-sep" aria-hidden="true">|</li>${admin}` : ''}
  <li class="emu-sep" aria-hidden="true">|</li>${link(`${conf.baseUrl}/spaces/DOCS/pages/65537`, 'Confluence page', 'nav-confluence')}${link('/_emu', 'Emulator controls', 'nav-control')}</ul>
</nav>`;
}

export interface LayoutInput {
  emu: Emulator;
  site: Site;
  title: string;
  body: string;
  /** Path the switcher form submits to (the current page). */
  path: string;
}

/**
 * What the product page knows about who is looking, for the glue's product modules (`user`,
 * `context`, `request`): read once by public/glue.js.
 */
function productState(p: LayoutInput): string {
  const user = p.emu.actingUser();
  const state = {
    product: p.site.product,
    as: p.emu.viewer.user,
    accountId: user?.accountId ?? null,
    locale: p.emu.productLocale(),
    timeZone: p.emu.timeZone(),
    contextPath: new URL(p.site.baseUrl).pathname.replace(/\/+$/, ''),
  };
  return `<script id="emu-product" type="application/json">${JSON.stringify(state).replace(/</g, '\\u003c')}</script>`;
}

/*
 * The product page's scripts, in the order a product loads them: jQuery as AJS.$, then
 * Atlassian's connect-host.js (+ its CSS), then our glue (product modules, the flag provider,
 * creating the iframes). All deferred: the page paints first, then the iframes are created.
 */
const HOST_SCRIPTS = `<link rel="stylesheet" href="/_emu/vendor/connect-host.css">
<script src="/_emu/vendor/jquery.js" defer></script>
<script src="/_emu/static/glue-ajs.js" defer></script>
<script src="/_emu/vendor/connect-host.js" defer></script>
<script src="/_emu/static/glue-flag.js" defer></script>
<script src="/_emu/static/glue.js" defer></script>`;

export function layout(p: LayoutInput): string {
  return `<!doctype html>
<html lang="${esc(p.emu.viewer.locale)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} - ${p.site.product === 'jira' ? 'Jira' : 'Confluence'} (emulator)</title>
${HOST_SCRIPTS}
<link rel="stylesheet" href="/_emu/static/emu.css">
${productState(p)}</head>
<body>
<a class="emu-skip" href="#main">Skip to content</a>
<header class="emu-header">${nav(p.emu, p.site)}${switcher(p.emu, p.path)}</header>
<main id="main" class="emu-main">${p.body}</main>
<div id="emu-flags" class="emu-flags" role="region" aria-label="Notifications" aria-live="polite"></div>
</body></html>`;
}

/** A notice where the app's modules would be (not installed, disabled, not allowed). */
export function notice(testid: string, text: string, extra = ''): string {
  return `<div class="emu-notice" data-testid="${esc(testid)}" role="status"><p>${esc(text)}</p>${extra}</div>`;
}

export function appUnavailable(site: Site): string | undefined {
  if (!site.installed) return notice('app-not-installed', 'The app is not installed on this site.', '<p><a href="/_emu">Install it from the emulator controls</a></p>');
  if (!site.enabled) return notice('app-disabled', 'The app is disabled on this site.', '<p><a href="/_emu">Enable it from the emulator controls</a></p>');
  return undefined;
}
