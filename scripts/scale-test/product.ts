import { randomUUID } from 'node:crypto';
import { listModules, type ModuleRef } from '../../emulator/lib/descriptor';
import type { Emulator } from '../../emulator/lib/emulator';
import { productQsh } from '../../emulator/lib/qsh';
import { signSymmetricToken } from '../../emulator/lib/signing';
import type { Site } from '../../emulator/lib/state';
import { frameSrc } from '../../emulator/pages/frame';

/**
 * The Jira site's side of the load, signed the way the product signs: page URLs built by the
 * emulator itself (module URL template, context parameters, page JWT with qsh), webhooks with
 * `Authorization: JWT` and the qsh of the exact request, and secret rotation as a reinstall
 * (the emulator posts `installed` with a new shared secret, then `enabled`).
 */

export interface SignedRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** The shared secret a request was signed with and when: a 401 can then be told apart from a rotation race. */
export interface Signed {
  request: SignedRequest;
  secret: string;
}

export class JiraSite {
  private panel?: ModuleRef;

  constructor(readonly emu: Emulator) {}

  get site(): Site {
    return this.emu.site('jira');
  }

  get secret(): string {
    const s = this.site.sharedSecret;
    if (!s) throw new Error('the app is not installed on the Jira site');
    return s;
  }

  /** The issue panel page of an issue, as the product frames it (`base` replaces the app's origin, e.g. one instance). */
  async panelPage(issueId: string, opts: { secret?: string; base?: string } = {}): Promise<Signed> {
    const site = opts.secret ? { ...this.site, sharedSecret: opts.secret } : this.site;
    const secret = site.sharedSecret!;
    this.panel ??= listModules(this.site.descriptor!).find((m) => m.url.startsWith('/panel/issue'));
    if (!this.panel) throw new Error('the descriptor has no /panel/issue module');
    const src = await frameSrc(this.emu, site, this.panel, {
      issue: { id: issueId, key: `DEMO-${issueId}`, typeId: '10002' },
      project: { id: '10000', key: 'DEMO' },
    });
    const u = new URL(src);
    const url = opts.base ? `${opts.base}${u.pathname}${u.search}` : src;
    return { request: { url, method: 'GET', headers: {} }, secret };
  }

  /**
   * A `jira:issue_updated` delivery to `/webhooks/issue-updated`: a move to another project
   * (recorded as a job) or a plain edit (answered without recording). Jira keeps the identifier
   * on its retries; so does the caller.
   */
  async webhook(issueId: string, move: boolean, identifier: string = randomUUID()): Promise<Signed> {
    const d = this.site.descriptor!;
    const secret = this.secret;
    const url = `${d.baseUrl.replace(/\/+$/, '')}/webhooks/issue-updated`;
    const token = await signSymmetricToken({ sharedSecret: secret, issuer: this.site.clientKey, qsh: productQsh('POST', url, d.baseUrl) });
    const body = {
      timestamp: Date.now(),
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: move ? 'issue_moved' : 'issue_updated',
      issue: { id: issueId, key: `OPS-${issueId}`, fields: { project: { id: move ? '10010' : '10000', key: move ? 'OPS' : 'DEMO' } } },
      changelog: { items: move ? [{ field: 'project', fieldId: 'project', from: '10000', fromString: 'DEMO', to: '10010', toString: 'OPS' }] : [{ field: 'summary', fieldId: 'summary' }] },
    };
    return {
      secret,
      request: {
        url,
        method: 'POST',
        headers: {
          authorization: `JWT ${token}`,
          'content-type': 'application/json',
          'x-atlassian-webhook-identifier': identifier,
          'x-atlassian-webhook-flow': 'Primary',
        },
        body: JSON.stringify(body),
      },
    };
  }
}

/** A checklist write as the panel makes it: the session token from the page, a unique text. */
export function checklistWrite(baseUrl: string, issueId: string, sessionToken: string, text: string): SignedRequest {
  return {
    url: `${baseUrl}/api/checklists/${issueId}/items`,
    method: 'POST',
    headers: { authorization: `Bearer ${sessionToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  };
}

/** The session token the app put in a page's bootstrap. */
export function sessionTokenOf(html: string): string | undefined {
  const m = /<script id="app-bootstrap" type="application\/json">([^<]*)<\/script>/.exec(html);
  if (!m) return undefined;
  const boot = JSON.parse(m[1]!) as { sessionToken?: unknown };
  return typeof boot.sessionToken === 'string' ? boot.sessionToken : undefined;
}
