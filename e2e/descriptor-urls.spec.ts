import { expect, test } from './fixtures';

/**
 * Every URL the served descriptor names resolves. The descriptor is walked, not listed here, so
 * a URL added later is checked too: page modules are fetched the way the product loads them
 * (context variables substituted, page JWT signed by the emulator as the product signs it),
 * icons, translations and policy links plainly, lifecycle and webhook endpoints by a POST
 * without credentials (they must exist and refuse it: 401, never 404). Browser-independent: runs
 * in one project.
 */

interface Found {
  /** Where in the descriptor, e.g. `modules.webPanels[0].url`. */
  at: string;
  url: string;
}

function walk(value: unknown, at: string, out: Found[]): void {
  if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}[${i}]`, out));
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const here = at ? `${at}.${k}` : k;
    if (typeof v === 'string' && (k === 'url' || /^(translations\.paths|links|lifecycle)\./.test(here))) out.push({ at: here, url: v });
    else walk(v, here, out);
  }
}

type Kind = 'page' | 'icon' | 'translation' | 'link' | 'callback' | 'external';

function kindOf(f: Found, baseUrl: string): Kind {
  if (/^https?:/.test(f.url) && !f.url.startsWith(baseUrl)) return 'external';
  if (f.at.startsWith('translations.paths.')) return 'translation';
  if (f.at.startsWith('links.')) return 'link';
  if (f.at.startsWith('lifecycle.') || /^modules\.webhooks\[/.test(f.at)) return 'callback';
  if (/\.icon\.url$/.test(f.at)) return 'icon';
  return 'page';
}

test('every URL the descriptor names resolves (none answers 404)', async ({ emu, stack }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'HTTP only: once is enough');
  const res = await fetch(`${stack.appUrl}/atlassian-connect.json`);
  expect(res.status).toBe(200);
  const d = (await res.json()) as { key: string; baseUrl: string; modules: Record<string, { key: string }[] | { key: string }> };
  const found: Found[] = [];
  walk(d, '', found);
  const results: { at: string; kind: Kind; url: string; status: number; type: string }[] = [];
  for (const f of found) {
    const kind = kindOf(f, d.baseUrl);
    if (kind === 'external') continue;
    let target = /^https?:/.test(f.url) ? f.url : d.baseUrl.replace(/\/+$/, '') + f.url;
    let init: RequestInit = {};
    if (kind === 'page') {
      // The module's key is the nearest `key` beside the URL: the emulator signs its URL now.
      const moduleKey = moduleKeyAt(d, f.at);
      const signed = (await (await fetch(`${emu.url}/_emu/api/module-url?module=${encodeURIComponent(moduleKey)}&issue=DEMO-1`)).json()) as { url?: string };
      expect(signed.url, `${f.at}: the emulator knows the module ${moduleKey}`).toBeTruthy();
      target = signed.url!;
      expect(new URL(target).pathname).toBe(new URL(d.baseUrl.replace(/\/+$/, '') + f.url.split('?')[0]).pathname);
      expect(target, `${f.at}: every {variable} substituted`).not.toMatch(/\{|%7B/);
    } else if (kind === 'callback') {
      init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    }
    const r = await fetch(target, { ...init, redirect: 'manual' });
    results.push({ at: f.at, kind, url: f.url, status: r.status, type: r.headers.get('content-type') ?? '' });
    await r.arrayBuffer();
  }
  await testInfo.attach('descriptor-urls.json', { body: JSON.stringify(results, null, 2), contentType: 'application/json' });

  // What the app's descriptor has today, at least: a check that found nothing proves nothing.
  const kinds = new Set(results.map((r) => r.kind));
  for (const k of ['page', 'icon', 'translation', 'link', 'callback'] as const) expect(kinds, `descriptor URLs of kind ${k}`).toContain(k);
  expect(results.filter((r) => r.status === 404)).toEqual([]);
  for (const r of results) {
    if (r.kind === 'callback') expect(r.status, `${r.at} refuses an unsigned call`).toBe(401);
    else expect(r.status, `${r.at} ${r.url}`).toBe(200);
    if (r.kind === 'icon') expect(r.type, r.at).toMatch(/^image\//);
    if (r.kind === 'translation') expect(r.type, r.at).toMatch(/json/);
    if (r.kind === 'page') expect(r.type, r.at).toMatch(/text\/html/);
  }
});

test('the app serves a favicon', async ({ stack }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'HTTP only: once is enough');
  const r = await fetch(`${stack.appUrl}/favicon.ico`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^image\//);
  expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(0);
});

function moduleKeyAt(d: { modules: Record<string, unknown> }, at: string): string {
  const m = /^modules\.(\w+)(?:\[(\d+)\])?/.exec(at);
  if (!m) throw new Error(`not a module URL: ${at}`);
  const list = d.modules[m[1]!];
  const mod = (Array.isArray(list) ? list[Number(m[2] ?? 0)] : list) as { key: string };
  return mod.key;
}
