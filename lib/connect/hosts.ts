/**
 * Which product sites may install the app. Patterns: `*.atlassian.net` (any subdomain),
 * `host` or `host:port` (exact). Plain http is accepted only for loopback hosts that a pattern
 * names explicitly (the local emulator and tests), never through a wildcard.
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isAllowedProductUrl(rawUrl: string, patterns: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  const hostPort = url.port ? `${host}:${url.port}` : host;
  if (url.protocol === 'http:') {
    if (!LOOPBACK.has(host)) return false;
    return patterns.some((p) => !p.includes('*') && (p.toLowerCase() === hostPort || p.toLowerCase() === host));
  }
  if (url.protocol !== 'https:') return false;
  return patterns.some((raw) => {
    const p = raw.toLowerCase();
    if (p.startsWith('*.')) {
      const suffix = p.slice(1);
      return host.endsWith(suffix) && host.length > suffix.length && !url.port;
    }
    return p === hostPort || (!url.port && p === host);
  });
}

/** CSP `frame-ancestors` sources for the allowed patterns, plus the tenant's exact origin. */
export function frameAncestors(patterns: readonly string[], tenantBaseUrl?: string): string {
  const sources = new Set<string>();
  if (tenantBaseUrl) {
    try {
      sources.add(new URL(tenantBaseUrl).origin);
    } catch {
      /* ignore */
    }
  }
  for (const p of patterns) {
    const host = p.toLowerCase();
    const bare = host.replace(/:\d+$/, '');
    if (LOOPBACK.has(bare)) sources.add(`http://${host}`);
    else sources.add(`https://${host}`);
  }
  return `frame-ancestors ${[...sources].join(' ')}`;
}
