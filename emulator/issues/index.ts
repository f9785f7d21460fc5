import type { IncomingMessage, ServerResponse } from 'node:http';
import { ISSUES, PROJECTS, findIssue, resetIssues } from '../lib/directory';
import type { Emulator } from '../lib/emulator';
import { esc, HttpError, readBody, readJson, redirect, sendJson } from '../lib/http';
import { siteForPath } from '../lib/router';
import { deleteIssue, IssueEventError, moveIssue } from './events';
import { extractions, JqlError, PropertyStore, searchIssues } from './properties';
import { handleIssuesRest, isIssuesRestPath } from './rest';
import { WebhookSender, type WebhookPolicy } from './webhooks';

/**
 * The emulator extension for issue changes and what apps build on them: deleting and moving
 * issues (with Jira's webhooks, signed, retried, logged), issue properties, and JQL over the
 * declared property extractions. Control API (JSON), also behind the control page's forms:
 *   POST /_emu/ext/issues/delete   { issue }            → { issue, deliveries }
 *   POST /_emu/ext/issues/move     { issue, project }   → { issue, from, deliveries }
 *   GET  /_emu/ext/issues/search?jql=…                  → { issues: [{ id, key, projectKey }] } (no auth; the app's own search is REST)
 *   GET  /_emu/ext/issues/properties?issue=…            → { issueId, properties }
 *   GET  /_emu/ext/issues/deliveries                    → the webhook delivery log (DELETE clears it)
 *   POST /_emu/ext/issues/webhook-policy { retryDelaysMs, timeoutMs }
 */

const PREFIX = '/_emu/ext/issues/';

export function createIssuesExtension(emu: Emulator) {
  const store = new PropertyStore();
  const sender = new WebhookSender();
  const jira = () => emu.site('jira');

  async function act(action: string, b: Record<string, unknown>): Promise<unknown> {
    try {
      switch (action) {
        case 'delete':
          return await deleteIssue(emu, sender, store, String(b.issue ?? ''));
        case 'move':
          return await moveIssue(emu, sender, String(b.issue ?? ''), String(b.project ?? ''));
        case 'search':
          return searchIssues(store, jira().clientKey, jira().descriptor, String(b.jql ?? ''));
        case 'webhook-policy':
          return setPolicy(b);
        default:
          throw new HttpError(404, `no action ${action}`);
      }
    } catch (err) {
      if (err instanceof IssueEventError || err instanceof JqlError) throw new HttpError(400, err.message);
      throw err;
    }
  }

  function setPolicy(b: Record<string, unknown>): WebhookPolicy {
    const p = { ...sender.policy };
    if (Array.isArray(b.retryDelaysMs) && b.retryDelaysMs.length <= 20 && b.retryDelaysMs.every((d) => Number.isInteger(d) && d >= 0 && d <= 3_600_000)) p.retryDelaysMs = b.retryDelaysMs as number[];
    if (Number.isInteger(b.timeoutMs) && (b.timeoutMs as number) >= 100 && (b.timeoutMs as number) <= 120_000) p.timeoutMs = b.timeoutMs as number;
    sender.policy = p;
    return p;
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name = url.pathname.slice(PREFIX.length);
    const method = req.method ?? 'GET';
    if (method === 'GET' && name === 'search') return sendJson(res, 200, await act('search', { jql: url.searchParams.get('jql') ?? '' }));
    if (method === 'GET' && name === 'properties') {
      const issue = findIssue(url.searchParams.get('issue') ?? '');
      if (!issue) throw new HttpError(404, 'no such issue');
      return sendJson(res, 200, { issueId: issue.id, key: issue.key, properties: store.all(jira().clientKey, issue.id) });
    }
    if (name === 'deliveries') {
      if (method === 'DELETE') sender.log.clear();
      return sendJson(res, 200, sender.log.list());
    }
    if (method === 'POST' && name === 'form') return form(req, res);
    if (method === 'POST' && ['delete', 'move', 'webhook-policy'].includes(name)) return sendJson(res, 200, await act(name, (await readJson(req)) as Record<string, unknown>));
    throw new HttpError(404, `no control endpoint ${method} ${url.pathname}`);
  }

  async function form(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Forms only from the emulator's own pages (the app's iframes are another origin).
    const origin = req.headers.origin;
    if (origin && new URL(origin).host !== req.headers.host) throw new HttpError(403, 'cross-origin form post refused');
    const f = new URLSearchParams(await readBody(req, 64 * 1024));
    const action = f.get('action') ?? '';
    let msg: string;
    try {
      const r = await act(action, Object.fromEntries(f));
      if (action === 'search') {
        const keys = (r as { issues: { key: string }[] }).issues.map((i) => i.key);
        msg = `search "${f.get('jql')}": ${keys.length ? keys.join(', ') : 'no issues'}`;
      } else {
        const c = r as { issue: { key: string }; from?: { key: string }; deliveries: { event: string; status: number; outcome: string }[] };
        const sent = c.deliveries.map((d) => `${d.event} ${d.status || '-'} ${d.outcome}`).join(', ') || 'no webhook subscribed';
        msg = `${action} ${c.from ? `${c.from.key} → ` : ''}${c.issue.key}: ${sent}`;
      }
    } catch (err) {
      msg = `${action} failed: ${(err as Error).message}`;
    }
    redirect(res, `/_emu?msg=${encodeURIComponent(msg)}`);
  }

  function panel(): string {
    const issueOptions = ISSUES.map((i) => `<option value="${esc(i.key)}">${esc(i.key)}: ${esc(i.summary)}</option>`).join('');
    const projectOptions = PROJECTS.map((p) => `<option value="${esc(p.key)}">${esc(p.key)}</option>`).join('');
    const aliases = extractions(jira().descriptor).map((x) => x.alias).filter(Boolean);
    const rows = sender.log
      .list()
      .slice(-20)
      .reverse()
      .map((d) => `<tr><td>${esc(d.at.slice(11, 19))}</td><td>${esc(d.event)}</td><td><code>${esc(d.path)}</code></td><td>${d.retry}</td><td>${d.status || '-'}</td><td>${esc(d.outcome)}${d.error ? `: ${esc(d.error.slice(0, 80))}` : ''}</td></tr>`)
      .join('');
    const formStart = (action: string) => `<form method="post" action="${PREFIX}form" class="emu-inline"><input type="hidden" name="action" value="${action}">`;
    return `<section class="emu-card" aria-labelledby="h-issues"><h2 id="h-issues">Issues, webhooks and JQL</h2>
${formStart('delete')}<label>Issue <select name="issue" data-testid="issues-delete-issue">${issueOptions}</select></label> <button type="submit" data-testid="issues-delete">Delete issue</button></form>
${formStart('move')}<label>Issue <select name="issue" data-testid="issues-move-issue">${issueOptions}</select></label> <label>to project <select name="project" data-testid="issues-move-project">${projectOptions}</select></label> <button type="submit" data-testid="issues-move">Move issue</button></form>
${formStart('search')}<label>JQL <input name="jql" size="40" data-testid="issues-jql" placeholder="${esc(aliases[0] ? `${aliases[0]} > 0` : 'project = DEMO')}"></label> <button type="submit" data-testid="issues-search">Search</button></form>
<p>Searchable property fields: ${aliases.length ? aliases.map((a) => `<code>${esc(a)}</code>`).join(', ') : 'none declared'}. Webhook retries after ${sender.policy.retryDelaysMs.map((d) => `${d / 1000} s`).join(', ')}.</p>
<div class="emu-scroll"><table class="emu-table" data-testid="issues-deliveries"><caption>Webhook deliveries</caption><thead><tr><th scope="col">time</th><th scope="col">event</th><th scope="col">URL</th><th scope="col">retry</th><th scope="col">status</th><th scope="col">outcome</th></tr></thead>
<tbody>${rows || '<tr><td colspan="6">none yet</td></tr>'}</tbody></table></div></section>`;
  }

  return {
    name: 'issues',
    store,
    sender,
    handle: async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
      if (url.pathname.startsWith(PREFIX)) {
        await control(req, res, url);
        return true;
      }
      const match = siteForPath(emu, url.pathname);
      if (!match || match.site.product !== 'jira' || !isIssuesRestPath(match.rel)) return false;
      await handleIssuesRest(emu, store, req, res, url, match.site, match.rel);
      return true;
    },
    controlPanel: panel,
    state: () => ({ issues: ISSUES.map((i) => ({ id: i.id, key: i.key, projectKey: i.projectKey })), propertyWrites: store.writes.length, deliveries: sender.log.list().slice(-20), policy: sender.policy, pendingRetries: sender.pendingRetries }),
    reset: () => {
      sender.cancelRetries();
      sender.log.clear();
      store.clear();
      resetIssues();
    },
    stop: () => sender.cancelRetries(),
  };
}

export type IssuesExtension = ReturnType<typeof createIssuesExtension>;
