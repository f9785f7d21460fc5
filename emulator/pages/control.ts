import { listModules } from '../lib/descriptor';
import type { Emulator } from '../lib/emulator';
import { esc } from '../lib/http';
import type { Site } from '../lib/state';
import { switcher } from './layout';

/** /_emu: install state and lifecycle actions, the viewer switcher, faults, and the logs. */

const button = (action: string, label: string, product: string, extra = '') =>
  `<form method="post" action="/_emu/action" class="emu-inline"><input type="hidden" name="action" value="${action}"><input type="hidden" name="product" value="${product}">${extra}<button type="submit" data-testid="ctl-${action}-${product}">${esc(label)}</button></form>`;

function siteCard(emu: Emulator, s: Site): string {
  const st = emu.state().sites as Record<string, Record<string, unknown>>;
  const info = st[s.product]!;
  const status = s.installed ? (s.enabled ? 'installed, enabled' : 'installed, disabled') : 'not installed';
  const actions = s.installed
    ? button('reinstall', 'Reinstall (rotate secret)', s.product) + button('uninstall', 'Uninstall', s.product) + (s.enabled ? button('disable', 'Disable', s.product) : button('enable', 'Enable', s.product))
    : button('install', 'Install', s.product);
  const modules = s.descriptor ? listModules(s.descriptor).map((m) => `<li><code>${esc(m.type)}</code> ${esc(m.key)}</li>`).join('') : '';
  return `<section class="emu-card" aria-labelledby="h-${s.product}"><h2 id="h-${s.product}">${s.product === 'jira' ? 'Jira' : 'Confluence'} site</h2>
<dl class="emu-kv"><dt>Status</dt><dd data-testid="status-${s.product}">${esc(status)}</dd><dt>clientKey</dt><dd><code>${esc(s.clientKey)}</code></dd>
<dt>baseUrl</dt><dd><a href="${esc(s.baseUrl)}/">${esc(s.baseUrl)}</a></dd><dt>Secret (sha256)</dt><dd><code>${esc(info.sharedSecretFingerprint ?? '-')}</code></dd>
<dt>oauthClientId</dt><dd><code>${esc(s.oauthClientId)}</code></dd></dl>
<div class="emu-actions">${actions}</div>
<form method="post" action="/_emu/action" class="emu-inline"><input type="hidden" name="action" value="base-url"><input type="hidden" name="product" value="${s.product}">
<label>New baseUrl <input name="baseUrl" size="40" value="${esc(s.baseUrl)}"></label> <button type="submit">Change baseUrl</button></form>
${modules ? `<details><summary>Modules in the descriptor</summary><ul>${modules}</ul></details>` : ''}</section>`;
}

function faultsForm(emu: Emulator): string {
  const f = emu.faults;
  const num = (name: string, label: string, value: number, step = '1') =>
    `<label>${label} <input type="number" name="${name}" value="${value}" step="${step}" min="0"></label>`;
  return `<section class="emu-card" aria-labelledby="h-faults"><h2 id="h-faults">Faults (product REST and OAuth only)</h2>
<form method="post" action="/_emu/action"><input type="hidden" name="action" value="faults">
${num('latencyMs', 'Added latency (ms)', f.latencyMs)} ${num('errorRate', '503 rate (0–1)', f.errorRate, '0.05')}
${num('rateLimitRate', '429 rate (0–1)', f.rateLimitRate, '0.05')} ${num('retryAfterSeconds', 'Retry-After (s)', f.retryAfterSeconds)}
${num('failNext', 'Fail the next N calls', f.failNext)}
<label>as <select name="failNextKind">${['503', '429', 'refuse'].map((k) => `<option${k === f.failNextKind ? ' selected' : ''}>${k}</option>`).join('')}</select></label>
<label><input type="checkbox" name="refuse"${f.refuse ? ' checked' : ''}> Connection refused (close every socket)</label>
<label>Only paths starting with <input name="pathPrefix" value="${esc(f.pathPrefix)}" placeholder="/rest/api/3/issue"></label>
<button type="submit">Apply faults</button></form>${button('clear-faults', 'Clear all faults', 'jira')}</section>`;
}

function logTable(title: string, head: string[], rows: string[][]): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') : `<tr><td colspan="${head.length}">none yet</td></tr>`;
  return `<section class="emu-card"><h2>${esc(title)}</h2><div class="emu-scroll"><table class="emu-table"><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div></section>`;
}

export function controlPage(emu: Emulator, msg?: string): string {
  const lifecycle = emu.lifecycleLog.list().slice(-20).reverse().map((r) => [r.at.slice(11, 19), r.product, r.event, r.skipped ? `skipped: ${r.skipped}` : String(r.status), r.response.slice(0, 120)]);
  const rest = emu.restLog.list().slice(-30).reverse().map((r) => [r.at.slice(11, 19), r.method, r.path, r.auth, String(r.status), r.fault ?? r.error ?? '']);
  const ext = emu.extensions.map((e) => e.controlPanel?.() ?? '').join('');
  const jira = emu.site('jira');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Emulator controls</title><link rel="stylesheet" href="/_emu/static/emu.css"></head><body>
<main id="main" class="emu-main emu-control"><h1>Product emulator</h1>
${msg ? `<p class="emu-msg" role="status" data-testid="ctl-msg">${esc(msg)}</p>` : ''}
<p>App: <a href="${esc(emu.appUrl)}/atlassian-connect.json">${esc(emu.appUrl)}/atlassian-connect.json</a> · install keys: <code>${esc(emu.keysUrl)}</code> ·
AP.js: <code>${esc(emu.url)}/atlassian-connect/all.js</code> · <a href="${esc(jira.baseUrl)}/browse/DEMO-1">Open the issue view</a> · <a href="/_emu/api/state">state (JSON)</a></p>
<section class="emu-card"><h2>Who is looking</h2>${switcher(emu, `${jira.baseUrl}/`)}</section>
<div class="emu-grid">${siteCard(emu, jira)}${siteCard(emu, emu.site('confluence'))}</div>
${faultsForm(emu)}${ext}
${logTable('Lifecycle calls to the app', ['time', 'product', 'event', 'status', 'answer'], lifecycle)}
${logTable('Product REST calls from the app', ['time', 'method', 'path', 'auth', 'status', 'fault / error'], rest)}
</main></body></html>`;
}
