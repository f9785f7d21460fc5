import { signSymmetricToken } from './signing';
import { productQsh } from './qsh';
import type { LicenseChoice } from './state';

/**
 * Builds iframe URLs the way the product does: the module's URL template from the descriptor
 * with its context variables filled, the context parameters appended, and a page JWT whose qsh
 * covers exactly that URL relative to the app's baseUrl.
 * https://developer.atlassian.com/cloud/jira/platform/context-parameters/
 */

/** Connect's version string, sent as `cv`. */
export const CONNECT_VERSION = '1001.0.0-SNAPSHOT';

export interface ModuleContext {
  issue?: { id: string; key: string; typeId?: string };
  project?: { id: string; key: string };
  /** Extra variables, e.g. `macro.id` or `page.id` on Confluence. */
  extra?: Record<string, string>;
}

/** The `{issue.key}`-style variables a module URL may use, for this context. */
export function contextVariables(ctx: ModuleContext): Record<string, string> {
  const vars: Record<string, string> = { ...ctx.extra };
  if (ctx.issue) {
    vars['issue.id'] = ctx.issue.id;
    vars['issue.key'] = ctx.issue.key;
    if (ctx.issue.typeId) vars['issuetype.id'] = ctx.issue.typeId;
  }
  if (ctx.project) {
    vars['project.id'] = ctx.project.id;
    vars['project.key'] = ctx.project.key;
  }
  return vars;
}

/**
 * Replaces `{name}` with the URL-encoded value; unknown variables become empty, as in the
 * product (so a general page using `{issue.key}` gets `issueKey=`).
 */
export function fillUrlTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([A-Za-z0-9_.]+)\}/g, (_m, name: string) => encodeURIComponent(vars[name] ?? ''));
}

export interface ContextParamInput {
  /** The site's baseUrl: `xdm_e` is its origin, `cp` its path. */
  siteBaseUrl: string;
  appKey: string;
  moduleKey: string;
  license: LicenseChoice;
  /** Whether the descriptor enables licensing; without it the product sends no `lic`. */
  licensing: boolean;
  /** Product locale tag, e.g. `de-DE`. */
  locale: string;
  timeZone: string;
}

/** The context parameters, in the order the product appends them. */
export function contextParams(p: ContextParamInput): [string, string][] {
  const site = new URL(p.siteBaseUrl);
  const params: [string, string][] = [
    ['xdm_e', site.origin],
    ['xdm_c', `channel-${p.appKey}__${p.moduleKey}`],
    ['cp', site.pathname.replace(/\/+$/, '')],
    ['xdm_deprecated_addon_key_do_not_use', p.appKey],
  ];
  if (p.licensing && p.license !== 'absent') params.push(['lic', p.license === 'none' ? 'none' : 'active']);
  params.push(['cv', CONNECT_VERSION], ['loc', p.locale], ['tz', p.timeZone]);
  return params;
}

/** The unsigned iframe URL: app baseUrl + filled template + context parameters. */
export function moduleUrl(appBaseUrl: string, template: string, ctx: ModuleContext, params: [string, string][]): URL {
  const url = new URL(appBaseUrl.replace(/\/+$/, '') + fillUrlTemplate(template, contextVariables(ctx)));
  for (const [k, v] of params) url.searchParams.append(k, v);
  return url;
}

export interface SignedModuleUrlInput {
  appBaseUrl: string;
  template: string;
  context: ModuleContext;
  params: ContextParamInput;
  clientKey: string;
  sharedSecret: string;
  accountId?: string;
  ttlSeconds: number;
}

/** The URL the product puts in the iframe's `src`, with `jwt` last. */
export async function signedModuleUrl(input: SignedModuleUrlInput): Promise<string> {
  const url = moduleUrl(input.appBaseUrl, input.template, input.context, contextParams(input.params));
  const jwt = await signSymmetricToken({
    sharedSecret: input.sharedSecret,
    issuer: input.clientKey,
    accountId: input.accountId,
    qsh: productQsh('GET', url.toString(), input.appBaseUrl),
    ttlSeconds: input.ttlSeconds,
    claims: { context: {} },
  });
  url.searchParams.append('jwt', jwt);
  return url.toString();
}
