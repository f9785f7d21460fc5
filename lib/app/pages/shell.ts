import 'server-only';
import { ConnectError, textResponse } from 'atlassian-connect-next';
import { apScriptTag } from '@/components/connect/ap-options';

/**
 * Cached HTML shells for the iframe pages. Each shell is a statically prerendered Next page
 * (app/(shell)/shell/*) holding the client app in its loading state. The page route verifies
 * the product's page JWT and then only splices a small bootstrap and `<html lang>` into the
 * shell kept in memory: no React render and no database read on the hot path of an issue view.
 */
export type ShellName = 'panel' | 'admin';

interface Shell {
  /** Up to the value of `<html lang="`. */
  beforeLang: string;
  /** From after the lang value up to `</head>`. */
  beforeHeadEnd: string;
  /** `</head>` and the rest. */
  rest: string;
}

function split(html: string, name: string): Shell {
  const lang = /<html[^>]*?\blang="[^"]*"/.exec(html);
  const head = html.indexOf('</head>');
  if (!lang || head < 0) throw new ConnectError('INTERNAL', `shell ${name} has no <html lang> or </head>`);
  const langValueStart = lang.index + lang[0].lastIndexOf('"', lang[0].length - 2) + 1;
  const langValueEnd = lang.index + lang[0].length - 1;
  return { beforeLang: html.slice(0, langValueStart), beforeHeadEnd: html.slice(langValueEnd, head), rest: html.slice(head) };
}

const escAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON safe inside <script>: no `<`, `>` or `&` survive, so no `</script>` or `<!--` can be formed. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Starts the panel's first API reads before React has loaded (the JS bundle and the data then
 * arrive in parallel). Constant text: it reads everything from the JSON bootstrap.
 */
const PREFETCH = `<script>(function(){try{var b=JSON.parse(document.getElementById('app-bootstrap').textContent),p=b.prefetch||{},o=window.__appPrefetch={};Object.keys(p).forEach(function(k){o[k]=fetch(p[k],{headers:{authorization:'Bearer '+b.sessionToken,'x-connect-locale':b.locale},credentials:'omit',cache:'no-store'}).then(function(r){return r.json().then(function(j){return{status:r.status,body:j}})})})}catch(e){}})()</script>`;

export interface ShellOptions {
  /** Where the iframes load AP.js from (AP_JS_URL). */
  apJsUrl: string;
  /**
   * This server's own address on loopback (`next start` and `next dev` set PORT when they
   * listen): the shells are asked of Next there, as any client would get them — never read from
   * Next's build folder, and never from a host a request names.
   */
  localOrigin: string;
  /** Keep a shell once fetched (production); `next dev` rebuilds them, so there it is fetched each time. */
  cache: boolean;
}

export type ShellRenderer = ReturnType<typeof createShellRenderer>;

export function createShellRenderer(o: ShellOptions) {
  const shells = new Map<ShellName, Promise<Shell>>();
  // AP.js with the options each page sets (components/connect/ap-options.ts).
  const apScripts = { panel: apScriptTag(o.apJsUrl, 'panel'), admin: apScriptTag(o.apJsUrl, 'admin') };

  async function load(name: ShellName): Promise<Shell> {
    const res = await fetch(`${o.localOrigin}/shell/${name}`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new ConnectError('INTERNAL', `shell ${name}: ${res.status}`);
    return split(await res.text(), name);
  }

  function shell(name: ShellName): Promise<Shell> {
    let s = shells.get(name);
    if (!s) {
      s = load(name);
      if (o.cache) shells.set(name, s);
      s.catch(() => shells.delete(name));
    }
    return s;
  }

  /** The shell for one request: `lang`, AP.js, the bootstrap and the prefetch script. */
  return async function renderShell(name: ShellName, opts: { locale: string; bootstrap: Record<string, unknown> }): Promise<Response> {
    const s = await shell(name);
    const html =
      s.beforeLang +
      escAttr(opts.locale) +
      s.beforeHeadEnd +
      apScripts[name] +
      `<script id="app-bootstrap" type="application/json">${scriptJson(opts.bootstrap)}</script>` +
      PREFETCH +
      s.rest;
    return textResponse(html, { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': opts.locale } });
  };
}
