import { createHash } from 'node:crypto';

/**
 * Query string hash, as Atlassian defines it for Connect JWTs:
 * `qsh = hex(sha256(METHOD & canonical-path & canonical-query))`.
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt/#qsh
 */

/** The value a context JWT (`AP.context.getToken()`) carries instead of a computed hash. */
export const CONTEXT_QSH = 'context-qsh';

/** RFC 3986 percent-encoding: like encodeURIComponent but also `!'()*`; `~` stays as is. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical path: relative to the path of `baseUrl` (the app's or the product's context
 * path), `/` when empty, no trailing slash, `&` encoded so it cannot fake a query separator.
 */
export function canonicalPath(pathname: string, baseUrl?: string): string {
  let path = pathname;
  const basePath = baseUrl ? new URL(baseUrl).pathname.replace(/\/+$/, '') : '';
  if (basePath && (path === basePath || path.startsWith(`${basePath}/`))) path = path.slice(basePath.length);
  if (!path) return '/';
  path = path.replace(/&/g, '%26');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

/** The canonical query: `jwt` dropped, names and values encoded, sorted, repeats joined by `,`. */
export function canonicalQuery(params: URLSearchParams | Iterable<[string, string]>): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) {
    if (name === 'jwt') continue;
    const key = encodeRfc3986(name);
    const list = byName.get(key) ?? [];
    list.push(encodeRfc3986(value));
    byName.set(key, list);
  }
  return [...byName.keys()]
    .sort()
    .map((key) => `${key}=${(byName.get(key) ?? []).sort().join(',')}`)
    .join('&');
}

export function canonicalRequest(method: string, url: URL | string, baseUrl?: string): string {
  const u = typeof url === 'string' ? new URL(url, 'http://qsh.invalid') : url;
  return `${method.toUpperCase()}&${canonicalPath(u.pathname, baseUrl)}&${canonicalQuery(u.searchParams)}`;
}

/**
 * Computes the qsh of a request. `url` is the full URL (or a path with query) as the caller
 * sent it; `baseUrl` is the base the path is relative to — the app's configured base URL for
 * incoming requests (never the Host header), the tenant's baseUrl for outgoing ones.
 */
export function computeQsh(method: string, url: URL | string, baseUrl?: string): string {
  return createHash('sha256').update(canonicalRequest(method, url, baseUrl)).digest('hex');
}
