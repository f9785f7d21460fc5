import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { send } from './http';

/** The emulator's browser files (AP.js for iframes, the host bridge, styles) from emulator/public. */

const DIR = path.join(__dirname, '..', 'public');
const TYPES: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const cache = new Map<string, Buffer>();

export function serveStatic(res: ServerResponse, name: string): void {
  const m = /^([a-z0-9-]+)\.(js|css|svg)$/.exec(name);
  if (!m) return send(res, 404, 'not found');
  let body = cache.get(name);
  if (!body) {
    try {
      body = readFileSync(path.join(DIR, name));
    } catch {
      return send(res, 404, 'not found');
    }
    // Re-read on every request while developing the emulator itself.
    if (process.env.EMU_STATIC_CACHE !== '0') cache.set(name, body);
  }
  // AP.js is loaded cross-origin by the app's iframes, like connect-cdn.atl-paas.net/all.js.
  res.writeHead(200, { 'content-type': TYPES[m[2]!]!, 'cache-control': 'no-cache', 'access-control-allow-origin': '*' });
  res.end(body);
}
