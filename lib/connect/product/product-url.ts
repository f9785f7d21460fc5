import type { RequestOptions } from './types';

/**
 * Builds the outgoing URL under the tenant's baseUrl (or its origin, with `siteRoot`); a path
 * that escapes it is a programming error.
 */
export function productUrl(baseUrl: string, path: string, query: RequestOptions['query'], siteRoot = false): URL {
  if (!path.startsWith('/') || path.startsWith('//')) throw new TypeError(`product path must start with a single "/": ${path}`);
  const base = new URL(baseUrl);
  const basePath = siteRoot ? '' : base.pathname.replace(/\/+$/, '');
  const url = new URL(`${base.origin}${basePath}${path}`);
  if (url.origin !== base.origin || (basePath && !url.pathname.startsWith(`${basePath}/`))) {
    throw new TypeError('product path escapes the tenant baseUrl');
  }
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
  }
  return url;
}
