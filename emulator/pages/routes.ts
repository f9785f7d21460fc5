import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Emulator } from '../lib/emulator';
import { send, sendHtml } from '../lib/http';
import type { Site } from '../lib/state';
import { confluencePage } from './confluence';
import { homePage, issuePage } from './issue';
import { manageAppsPage } from './manage-apps';
import { modulePage } from './module-page';

/** The product's own pages (GET), under the site's baseUrl. */
export async function handleProductPage(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL, site: Site, rel: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { allow: 'GET' });
  // Browsers follow a renamed site to its new address (AP.js needs the page at xdm_e's origin).
  if (url.host !== new URL(site.baseUrl).host) return send(res, 302, '', { location: `${site.baseUrl}${rel}${url.search}` });
  // Switcher values in the query (the switcher form, or a test's URL) apply to the whole site.
  const q = url.searchParams;
  if (q.has('as') || q.has('loc') || q.has('lic')) {
    emu.setViewer({ user: q.get('as'), locale: q.get('loc'), license: q.get('lic') });
    for (const k of ['as', 'loc', 'lic']) q.delete(k);
    return send(res, 303, '', { location: url.pathname + (q.size ? `?${q}` : '') });
  }
  const path = url.pathname;
  let html: string | undefined;
  let m: RegExpExecArray | null;
  if (rel === '/plugins/servlet/upm') {
    html = manageAppsPage(emu, site, path);
  } else if (site.product === 'confluence') {
    if (rel === '/' || rel === '/spaces/DOCS') return send(res, 302, '', { location: `${site.baseUrl}/spaces/DOCS/pages/65537` });
    if ((m = /^\/spaces\/([A-Z0-9]+)\/pages\/(\d+)(?:\/[^/]*)?$/.exec(rel))) html = await confluencePage(emu, site, m[1]!, m[2]!, path);
  } else if (rel === '/') {
    html = homePage(emu, site, path);
  } else if ((m = /^\/browse\/([A-Za-z0-9-]+)$/.exec(rel))) {
    html = await issuePage(emu, site, m[1]!, path);
  } else if ((m = /^\/plugins\/servlet\/ac\/([^/]+)\/([^/]+)$/.exec(rel))) {
    html = await modulePage(emu, site, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), path, q.get('force') === '1');
  }
  if (html === undefined) return sendHtml(res, 404, `<!doctype html><html lang="en"><title>Not found</title><main><h1>Page not found</h1><p><a href="${site.baseUrl}/">Home</a></p></main></html>`);
  sendHtml(res, 200, html);
}
