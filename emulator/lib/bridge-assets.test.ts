import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeSymmetric, SymmetricAlgorithm } from 'atlassian-jwt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppDescriptor } from './descriptor';
import { Emulator } from './emulator';

/**
 * Atlassian's bridge as the emulator serves it: the library's files byte for byte from
 * node_modules (with gzip and revalidation), product pages that load it and hand it each iframe as
 * an extension, and the server side of the content resolver.
 */

const SECRET = 'a-shared-secret-that-is-long-enough-for-hs256';
const APP_KEY = 'com.example.app';
let emu: Emulator;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const lib = (p: string) => readFileSync(require.resolve(p));

/** A GET with raw bytes back (fetch would undo the gzip). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  emu = await new Emulator({ appUrl: 'http://localhost:9', port: 0, keysPort: 0, quiet: true, extensions: [] }).start();
});
afterAll(() => emu.stop());
beforeEach(() => {
  const site = emu.site('jira');
  Object.assign(site, { installed: true, enabled: true, sharedSecret: SECRET, baseUrl: emu.url });
  site.descriptor = {
    key: APP_KEY,
    name: 'App',
    baseUrl: 'http://localhost:9',
    scopes: ['READ'],
    modules: {
      webPanels: [{ key: 'panel', name: { value: 'Panel' }, url: '/panel?issueKey={issue.key}&issueId={issue.id}', location: 'atl.jira.view.issue.left.context' }],
      adminPages: [{ key: 'admin', name: { value: 'Admin' }, url: '/admin' }],
    },
  } as unknown as AppDescriptor;
});

describe("Atlassian's files, served from node_modules", () => {
  it('serves iframe.js as the app\'s AP.js, byte for byte, cross-origin, gzipped and revalidated', async () => {
    const want = lib('atlassian-connect-js/dist/iframe.js');
    for (const path of ['/atlassian-connect/all.js', '/atlassian-connect/all-debug.js']) {
      const plain = await get(`${emu.url}${path}`);
      expect(plain.status).toBe(200);
      expect(sha(plain.body)).toBe(sha(want));
      expect(plain.headers['access-control-allow-origin']).toBe('*');
      expect(plain.headers['content-type']).toMatch(/^application\/javascript/);
      const gz = await get(`${emu.url}${path}`, { 'accept-encoding': 'gzip, br' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(sha(gunzipSync(gz.body))).toBe(sha(want));
      expect(gz.body.length).toBeLessThan(want.length / 3);
      const again = await get(`${emu.url}${path}`, { 'if-none-match': String(plain.headers.etag) });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
  });

  it('serves connect-host.js, its CSS and jQuery for the product page; nothing else from node_modules', async () => {
    for (const [name, file] of [
      ['connect-host.js', 'atlassian-connect-js/dist/connect-host.js'],
      ['connect-host.css', 'atlassian-connect-js/dist/connect-host.css'],
      ['jquery.js', 'jquery/dist/jquery.min.js'],
    ] as const) {
      const res = await get(`${emu.url}/_emu/vendor/${name}`);
      expect(res.status, name).toBe(200);
      expect(sha(res.body), name).toBe(sha(lib(file)));
    }
    for (const bad of ['iframe.css', '..%2Fpackage.json', '../package.json', 'connect-host.js.map', '']) {
      expect((await get(`${emu.url}/_emu/vendor/${bad}`)).status, bad).toBe(404);
    }
    // The hand-written bridge is gone; only our glue is served from emulator/public.
    expect((await get(`${emu.url}/_emu/static/all.js`)).status).toBe(404);
    expect((await get(`${emu.url}/_emu/static/host.js`)).status).toBe(404);
    expect((await get(`${emu.url}/_emu/static/glue.js`)).status).toBe(200);
  });
});

describe('product pages on the library', () => {
  it('load jQuery, the AJS shim, connect-host.js and the glue in that order, and describe each iframe as an extension', async () => {
    const html = (await get(`${emu.url}/browse/DEMO-1`)).body.toString();
    const order = ['/_emu/vendor/jquery.js', '/_emu/static/glue-ajs.js', '/_emu/vendor/connect-host.js', '/_emu/static/glue.js'].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).not.toMatch(/<iframe/);
    const attr = /data-ac-extension="([^"]+)"/.exec(html)![1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    const ext = JSON.parse(attr) as { addon_key: string; key: string; url: string; options: Record<string, unknown> };
    expect(ext).toMatchObject({ addon_key: APP_KEY, key: 'panel', options: { isFullPage: false, autoresize: true, productContext: { 'issue.key': 'DEMO-1' } } });
    expect(new URL(ext.url).searchParams.get('issueKey')).toBe('DEMO-1');
    const page = (await get(`${emu.url}/plugins/servlet/ac/${APP_KEY}/admin?as=admin`)).status;
    expect(page).toBe(303);
    const admin = (await get(`${emu.url}/plugins/servlet/ac/${APP_KEY}/admin`)).body.toString();
    expect(admin).toContain('&#34;isFullPage&#34;:true');
  });
});

describe('the content resolver', () => {
  const post = (body: unknown) => fetch(`${emu.url}/_emu/bridge/url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('signs a fresh iframe URL for the module and context, as the viewer', async () => {
    const res = await post({ as: 'user', module: 'panel', productContext: { 'issue.key': 'DEMO-2' } });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    const u = new URL(url);
    expect(u.origin + u.pathname).toBe('http://localhost:9/panel');
    expect(u.searchParams.get('issueKey')).toBe('DEMO-2');
    const claims = decodeSymmetric(u.searchParams.get('jwt')!, SECRET, SymmetricAlgorithm.HS256) as { sub?: string; exp: number };
    expect(claims.sub).toBe('5b10ac8d82e05b22cc7d4ef5');
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('refuses an unknown module or issue, and anything but JSON', async () => {
    expect((await post({ module: 'nope' })).status).toBe(404);
    expect((await post({ module: 'panel', productContext: { 'issue.key': 'NOPE-1' } })).status).toBe(404);
    const form = await fetch(`${emu.url}/_emu/bridge/url`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
  });
});
