import { listModules } from '../lib/descriptor';
import { ISSUES, USERS, findIssue, projectOf } from '../lib/directory';
import type { Emulator } from '../lib/emulator';
import { esc } from '../lib/http';
import type { Site } from '../lib/state';
import { displayName, frameHtml, issueContext } from './frame';
import { appUnavailable, layout } from './layout';

/** Jira's issue view with the app's web panels (inline) and issue glances (opened on demand). */

export async function issuePage(emu: Emulator, site: Site, key: string, path: string): Promise<string | undefined> {
  const issue = findIssue(key);
  if (!issue) return undefined;
  const project = projectOf(issue);
  const ctx = issueContext(issue);
  const location = { target: 'issue', context: { issueKey: issue.key, projectKey: project.key } };
  const name = (k?: string) => USERS.find((u) => u.key === k)?.displayName ?? 'Unassigned';
  const unavailable = appUnavailable(site);
  let left = '';
  let right = '';
  if (unavailable) {
    left = unavailable;
  } else {
    for (const m of listModules(site.descriptor!)) {
      const title = esc(displayName(emu, site, m));
      if (m.kind === 'issue-panel') {
        const section = `<section class="ac-panel" data-testid="panel-${esc(m.key)}" aria-labelledby="h-${esc(m.key)}">
  <h2 id="h-${esc(m.key)}">${title}</h2>${await frameHtml(emu, site, m, ctx, { location })}</section>`;
        if (m.location?.includes('right')) right += section;
        else left += section;
      } else if (m.kind === 'issue-glance') {
        right += `<section class="ac-glance" data-testid="glance-${esc(m.key)}">
  <button type="button" class="ac-glance-toggle" aria-expanded="false" aria-controls="gl-${esc(m.key)}" data-testid="glance-toggle-${esc(m.key)}">${title}</button>
  <div id="gl-${esc(m.key)}" class="ac-glance-body" hidden>${await frameHtml(emu, site, m, ctx, { location, deferred: true })}</div></section>`;
      }
    }
  }
  const body = `<nav class="emu-crumbs" aria-label="Breadcrumbs"><a href="${esc(site.baseUrl)}/">Projects</a> / ${esc(project.name)} / <span data-testid="issue-key">${esc(issue.key)}</span></nav>
<h1 data-testid="issue-summary">${esc(issue.summary)}</h1>
<div class="issue-columns">
  <div class="issue-main">
    <section aria-labelledby="h-desc"><h2 id="h-desc">Description</h2><p>${esc(issue.description)}</p></section>
    ${left}
  </div>
  <aside class="issue-side" aria-label="Details">
    <dl class="issue-details"><dt>Status</dt><dd>${esc(issue.status)}</dd><dt>Type</dt><dd>${esc(issue.type.name)}</dd>
    <dt>Assignee</dt><dd>${esc(name(issue.assignee))}</dd><dt>Reporter</dt><dd>${esc(name(issue.reporter))}</dd></dl>
    ${right}
  </aside>
</div>`;
  return layout({ emu, site, title: `${issue.key}: ${issue.summary}`, body, path });
}

export function homePage(emu: Emulator, site: Site, path: string): string {
  const rows = ISSUES.map(
    (i) => `<tr><td><a href="${esc(site.baseUrl)}/browse/${esc(i.key)}">${esc(i.key)}</a></td><td>${esc(i.summary)}</td><td>${esc(i.status)}</td></tr>`,
  ).join('');
  const body = `<h1>Issues</h1>${appUnavailable(site) ?? ''}
<table class="emu-table"><caption class="emu-vh">Issues on this site</caption><thead><tr><th scope="col">Key</th><th scope="col">Summary</th><th scope="col">Status</th></tr></thead><tbody>${rows}</tbody></table>`;
  return layout({ emu, site, title: 'Issues', body, path });
}
