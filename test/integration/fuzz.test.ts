import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { FakeProduct, ForgeJwksServer, newForgeKey, productQsh, signSymmetricToken } from 'atlassian-connect-next/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db/open';
import { startApp, type AppServer } from '../../scripts/stack';
import { databaseOptions } from '../support/database';
import { FakeKeys, install, newSite, sessionFor, type Site } from '../support/product';
import { prng } from '../support/prng';

/**
 * A seeded fuzz run against every route kind of the built app: at least 1 000 malformed tokens
 * and bodies (wrong types, huge values, control characters, invalid UTF-8, deep JSON, duplicate
 * keys, chunked bodies over the cap). Nothing may answer 5xx, and nothing may be stored: the
 * tenant keeps its secret, no checklist, setting or preference appears, and the lifecycle audit
 * holds only anonymous, rate-limited rejections. A failure prints the seed; `FUZZ_SEED=<n>`
 * replays it exactly.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES_PER_KIND = Number(process.env.FUZZ_CASES ?? 160);

const rnd = prng(SEED);
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64url');

const NASTY = ['', '\u0000', 'a\u0000b', '\u001b[31m', '\ud800', '\udfff', '\u2028', '../../etc/passwd', '%00', '"', "'; DROP TABLE \"Tenant\"; --", '🙂', 'x'.repeat(5000), '-1', '1e309', 'null', 'NaN'];
const nastyValue = (): unknown =>
  pick<() => unknown>([
    () => pick(NASTY),
    () => int(2 ** 31) - 2 ** 30,
    () => rnd() * 1e308,
    () => null,
    () => true,
    () => [pick(NASTY)],
    () => ({ [pick(NASTY)]: pick(NASTY) }),
    () => 'y'.repeat(int(100_000)),
  ])();

function randomBytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => int(256));
}

function deepJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A malformed or hostile token for `site` (mostly well-shaped, so verification code is reached). */
async function badToken(site: Site, appUrl: string): Promise<string> {
  const claims = () => ({ iss: pick([site.clientKey, nastyValue()]), sub: pick([undefined, 'acc-x', nastyValue()]), iat: pick([Math.floor(Date.now() / 1000), nastyValue()]), exp: pick([Math.floor(Date.now() / 1000) + 60, nastyValue(), -1]), qsh: pick(['context-qsh', productQsh('GET', `${appUrl}/x`, appUrl), nastyValue()]), context: nastyValue() });
  return pick<() => Promise<string> | string>([
    () => String.fromCharCode(...randomBytes(int(300))),
    () => `${b64(randomBytes(int(50)))}.${b64(randomBytes(int(200)))}.${b64(randomBytes(32))}`,
    () => `${b64(JSON.stringify({ alg: pick(['none', 'HS256', 'RS256', 'HS512', 'ES256', nastyValue()]), kid: nastyValue(), typ: 'JWT' }))}.${b64(JSON.stringify(claims()))}.`,
    () => `${b64(JSON.stringify({ alg: 'HS256' }))}.${b64('{"iss":"a","iss":"b"}')}.${b64(randomBytes(32))}`,
    () => `${b64('{"alg":"HS256"')}.${b64(randomBytes(40))}.${b64(randomBytes(32))}`, // invalid JSON and UTF-8
    () => `${b64(JSON.stringify({ alg: 'HS256' }))}.${b64(deepJson(3000))}.${b64(randomBytes(32))}`,
    () => 'a.'.repeat(5000),
    // Signed, but with the wrong secret or a hostile claim set.
    () => new SignJWT(claims() as Record<string, unknown>).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pick([site.sharedSecret, 'wrong-secret']))),
    () => signSymmetricToken({ sharedSecret: 'not-the-secret', issuer: site.clientKey, qsh: 'context-qsh', accountId: 'acc-x' }),
  ])();
}

function badBody(): { body: BodyInit; type: string } {
  return pick<() => { body: BodyInit; type: string }>([
    () => ({ body: Buffer.from(randomBytes(int(2000))), type: 'application/json' }),
    () => ({ body: deepJson(10_000 + int(20_000)), type: 'application/json' }),
    () => ({ body: JSON.stringify({ text: nastyValue(), version: nastyValue(), checked: nastyValue(), afterId: nastyValue() }), type: 'application/json' }),
    () => ({ body: '{"text":"a","text":"b","version":1,"version":"2"}', type: 'application/json' }),
    () => ({ body: JSON.stringify({ version: 0, settings: { template: { enabled: nastyValue(), items: [nastyValue()] }, projects: nastyValue(), showCheckedBy: nastyValue() } }), type: 'application/json' }),
    () => ({ body: JSON.stringify({ text: 'x'.repeat(70_000) }), type: 'application/json' }),
    () => ({ body: 'not json at all \u0000', type: pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', '']) }),
    () => ({ body: JSON.stringify(nastyValue()), type: 'application/json; charset=utf-8' }),
    () => {
      // A chunked body far over every cap (no Content-Length).
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent > 2 * 1024 * 1024) return c.close();
          sent += 64 * 1024;
          c.enqueue(new Uint8Array(64 * 1024).fill(91));
        },
      });
      return { body: stream, type: 'application/json' };
    },
  ])();
}

let app: AppServer;
let dataDir: string;
let databaseUrl: string | undefined;
const product = new FakeProduct();
const keys = new FakeKeys();
const forgeKeys = new ForgeJwksServer();
let site: Site;

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  await product.start();
  const keysUrl = await keys.start();
  forgeKeys.add(await newForgeKey());
  await forgeKeys.start();
  dataDir = mkdtempSync(path.join(tmpdir(), 'fuzz-'));
  databaseUrl = (await databaseOptions()).databaseUrl;
  app = await startApp({
    databaseUrl,
    dataDir,
    logLevel: 'error',
    env: { CONNECT_KEYS_CDN_URL: keysUrl, ALLOWED_PRODUCT_HOSTS: new URL(product.url).host, FORGE_APP_ID: '7e57f0e9-0000-4000-8000-00000000f0e9', FORGE_JWKS_URL: forgeKeys.url, PURGE_INTERVAL_MINUTES: '0', GDPR_REPORT_INTERVAL_HOURS: '0' },
  });
  site = newSite(product.url);
  product.sites.push(site);
  await install(app.url, keys, site);
});

afterAll(async () => {
  await app?.stop();
  await product.stop();
  await keys.stop();
  await forgeKeys.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`fuzzing every route kind (seed ${SEED})`, () => {
  it(`answers ${CASES_PER_KIND * 7} malformed requests without a 5xx, and stores nothing`, async () => {
    const session = (await sessionFor(app.url, site, 'acc-fuzz', { issueId: '10001' })).token;
    const admin = (await sessionFor(app.url, site, 'acc-fuzz', {}, '/admin')).token;
    type Case = { kind: string; run: () => Promise<Response> };
    const cases: Case[] = [];
    const post = (p: string, token: string, b: { body: BodyInit; type: string }, method = 'POST') => {
      const body = b.body;
      return fetch(app.url + p, { method, headers: { authorization: token, ...(b.type ? { 'content-type': b.type } : {}) }, body, duplex: 'half' } as RequestInit);
    };
    for (let i = 0; i < CASES_PER_KIND; i++) {
      const event = pick(['installed', 'uninstalled', 'enabled', 'disabled']);
      cases.push({ kind: `lifecycle ${event}`, run: async () => post(`/lifecycle/${event}`, `JWT ${await badToken(site, app.url)}`, pick([badBody(), { body: JSON.stringify({ key: 'com.example.connect-checklists', clientKey: pick([site.clientKey, nastyValue()]), sharedSecret: 'attacker', baseUrl: 'https://evil.atlassian.net', productType: 'jira', eventType: event }), type: 'application/json' }])) });
      cases.push({ kind: 'page', run: async () => fetch(`${app.url}/panel/issue?issueId=${encodeURIComponent(String(pick(['10001', nastyValue()])))}&jwt=${encodeURIComponent(await badToken(site, app.url))}&lic=active&loc=${encodeURIComponent(String(nastyValue()))}`) });
      cases.push({ kind: 'api read (context JWT)', run: async () => fetch(`${app.url}/api/checklists/${encodeURIComponent(String(pick(['10001', nastyValue()])))}`, { headers: { authorization: `${pick(['JWT', 'Bearer', 'Basic', ''])} ${await badToken(site, app.url)}` } }) });
      cases.push({ kind: 'api write (valid session, hostile body)', run: async () => post(`/api/checklists/${pick(['10001', '10001/items', '10001/items/abc', '10001/items/abc/move'])}`.replace('/api/checklists/10001', '/api/checklists/10001'), `Bearer ${session}`, badBody(), pick(['POST', 'PATCH', 'PUT'])) });
      cases.push({ kind: 'settings (admin session, hostile body)', run: async () => post('/api/settings', `Bearer ${admin}`, badBody(), 'PUT') });
      cases.push({ kind: 'preferences (hostile body)', run: async () => post('/api/preferences', `Bearer ${pick([session, await badToken(site, app.url)])}`, badBody(), 'PUT') });
      cases.push({ kind: 'forge remote', run: async () => post('/forge/remote', `Bearer ${await badToken(site, app.url)}`, badBody()) });
    }
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let c = cases[next++]; c; c = cases[next++]) {
          let res: Response;
          try {
            res = await c.run();
          } catch (err) {
            const msg = `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`;
            // The client refused to send it (a header value with control characters, or a URL
            // encodeURIComponent cannot write: a lone UTF-16 surrogate): never reached the app.
            if (err instanceof URIError || /invalid.*header|header.*invalid|ByteString/i.test(msg)) count('not sendable');
            // The app answered before reading a body over the cap and closed: the client sees the reset.
            else if (/other side closed|socket|ECONNRESET|EPIPE|terminated/i.test(msg)) count('closed early');
            else failures.push(`${c.kind}: ${msg}`);
            continue;
          }
          await res.body?.cancel().catch(() => undefined);
          count(String(res.status));
          if (res.status >= 500) failures.push(`${c.kind}: ${res.status}`);
        }
      }),
    );
    console.log(`fuzz seed ${SEED}: ${cases.length} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    expect(failures, `seed ${SEED}`).toEqual([]);
    expect(app.output()).not.toMatch(/\bat [\w.]+ \(.*\.js:\d+:\d+\)/); // no stack trace was even logged
    await app.stop();

    // Nothing stored: the database as the product's one legitimate install left it.
    const db: Database = await openDatabase({ databaseUrl, dataDir, skipMigrations: true });
    try {
      const tenants = await db.prisma.tenant.findMany();
      expect(tenants.map((t) => [t.clientKey, t.baseUrl, t.cloudId, t.enabled, t.uninstalledAt])).toEqual([[site.clientKey, site.baseUrl, site.cloudId, true, null]]);
      expect(await db.prisma.checklistItem.count()).toBe(0);
      expect(await db.prisma.tenantSettings.count()).toBe(0);
      expect(await db.prisma.userPreference.count()).toBe(0);
      const events = await db.prisma.lifecycleEvent.findMany();
      expect(events.filter((e) => e.outcome === 'accepted').map((e) => [e.event, e.clientKey])).toEqual([['installed', site.clientKey]]);
      // Rejections are anonymous and rate-limited (20 a minute).
      expect(events.filter((e) => e.outcome === 'rejected').every((e) => e.clientKey === null)).toBe(true);
      expect(events.filter((e) => e.outcome === 'rejected').length).toBeLessThanOrEqual(20 * Math.ceil((Date.now() - tenants[0]!.installedAt.getTime()) / 60_000 + 1));
    } finally {
      await db.close();
    }
  }, 900_000);
});
