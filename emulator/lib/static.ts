import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { send } from './http';

/**
 * The emulator's browser files. Two sources:
 * - ours, in emulator/public (the product chrome's styles, the avatar, the thin host glue);
 * - Atlassian's and jQuery's, straight from node_modules (pinned devDependencies, never copied
 *   into the repository): `connect-host.js`/`.css` for the product page, `iframe.js` as the
 *   app's AP.js, and jQuery, which connect-host.js expects as `window.AJS.$`.
 * Served gzipped with an ETag (revalidated on each use, a 304 when unchanged), like a CDN would.
 */

const OWN_DIR = path.join(__dirname, '..', 'public');
const TYPES: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Vendor files by the name the emulator serves them under. */
const VENDOR: Record<string, string> = {
  'connect-host.js': 'atlassian-connect-js/dist/connect-host.js',
  'connect-host.css': 'atlassian-connect-js/dist/connect-host.css',
  'jquery.js': 'jquery/dist/jquery.min.js',
  // What https://connect-cdn.atl-paas.net/all.js serves: the iframe side of the bridge.
  'iframe.js': 'atlassian-connect-js/dist/iframe.js',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const cache = new Map<string, Asset>();

function load(file: string, type: string): Asset {
  const body = readFileSync(file);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { type, body, gzip: gzipSync(body), etag };
}

function asset(key: string, file: () => string | undefined, type: string): Asset | undefined {
  let a = cache.get(key);
  if (!a) {
    const f = file();
    if (!f) return undefined;
    try {
      a = load(f, type);
    } catch {
      return undefined;
    }
    // EMU_STATIC_CACHE=0 re-reads our own files on every request while developing the emulator.
    if (process.env.EMU_STATIC_CACHE !== '0' || key.startsWith('vendor:')) cache.set(key, a);
  }
  return a;
}

function reply(req: IncomingMessage, res: ServerResponse, a: Asset | undefined): void {
  if (!a) return send(res, 404, 'not found');
  const headers: Record<string, string | number> = {
    'content-type': a.type,
    'cache-control': 'no-cache',
    etag: a.etag,
    vary: 'accept-encoding',
    // Loaded cross-origin by the app's iframes, like connect-cdn.atl-paas.net/all.js.
    'access-control-allow-origin': '*',
  };
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? a.gzip : a.body;
  res.writeHead(200, { ...headers, 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** `/_emu/static/{name}`: the emulator's own files. */
export function serveStatic(req: IncomingMessage, res: ServerResponse, name: string): void {
  const m = /^([a-z0-9-]+)\.(js|css|svg)$/.exec(name);
  if (!m) return send(res, 404, 'not found');
  reply(req, res, asset(`own:${name}`, () => path.join(OWN_DIR, name), TYPES[m[2]!]!));
}

/** `/_emu/vendor/{name}` and the app's AP.js: Atlassian's library and jQuery from node_modules. */
export function serveVendor(req: IncomingMessage, res: ServerResponse, name: string): void {
  const spec = VENDOR[name];
  if (!spec) return send(res, 404, 'not found');
  const type = TYPES[name.slice(name.lastIndexOf('.') + 1)]!;
  reply(req, res, asset(`vendor:${name}`, () => require.resolve(spec), type));
}
