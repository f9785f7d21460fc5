/**
 * Matches a method and a path against route patterns in Next's folder notation
 * (`/api/checklists/[issueId]/items`): static segments exactly, `[name]` one segment (decoded).
 */
export interface Route<H> {
  method: string;
  path: string;
  handler: H;
}

export interface Match<H> {
  handler: H;
  params: Record<string, string>;
}

interface Compiled<H> {
  method: string;
  segments: { literal?: string; param?: string }[];
  handler: H;
}

export function createRouter<H>(routes: readonly Route<H>[]) {
  const compiled: Compiled<H>[] = routes.map((r) => ({
    method: r.method.toUpperCase(),
    handler: r.handler,
    segments: r.path
      .split('/')
      .filter(Boolean)
      .map((s) => (/^\[[A-Za-z_][A-Za-z0-9_]*\]$/.test(s) ? { param: s.slice(1, -1) } : { literal: s })),
  }));

  return {
    /** The route for this request, or undefined (Next answers it). */
    match(method: string, pathname: string): Match<H> | undefined {
      // Exact segments: an empty one (`//`, a trailing `/`) matches nothing here, and Next answers
      // it as it would without this server (a 404, or its redirect without the trailing slash).
      if (!pathname.startsWith('/')) return undefined;
      const parts = pathname === '/' ? [] : pathname.slice(1).split('/');
      const m = method.toUpperCase();
      for (const c of compiled) {
        if (c.segments.length !== parts.length) continue;
        const params: Record<string, string> = {};
        let ok = true;
        for (let i = 0; i < parts.length && ok; i++) {
          const seg = c.segments[i]!;
          if (seg.literal !== undefined) ok = seg.literal === parts[i];
          else if (!parts[i]) ok = false;
          else {
            try {
              params[seg.param!] = decodeURIComponent(parts[i]!);
            } catch {
              ok = false;
            }
          }
        }
        // HEAD is GET without the body, as Next answers it for a route handler.
        if (ok && (c.method === m || (m === 'HEAD' && c.method === 'GET'))) return { handler: c.handler, params };
      }
      return undefined;
    },
  };
}
