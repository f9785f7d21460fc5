import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InstallKeysServer, lifecyclePayload, newInstallKeyPair, signInstallToken } from './testing';
import { handleLifecycle } from './lifecycle';
import { InstallKeyStore } from './install-keys';
import type { ConnectRuntime } from './runtime';
import { createTestRuntime, MemoryTenantStore } from './testing';

const keysServer = new InstallKeysServer();
const pair = newInstallKeyPair();
keysServer.add(pair);
const appUrl = 'https://app.example.com';
let cdn: string;
let rt: ConnectRuntime;
let store: MemoryTenantStore;
let logs: string[];
let clock: number;

beforeAll(async () => {
  cdn = await keysServer.start();
});
afterAll(() => keysServer.stop());

beforeEach(() => {
  store = new MemoryTenantStore();
  logs = [];
  clock = Date.now();
  const line = (o: object, m?: string) => logs.push(JSON.stringify(o) + m);
  rt = createTestRuntime({
    // Production: HTTPS only, behind one trusted TLS proxy.
    config: { appKey: 'app.key', baseUrl: appUrl, production: true, trustProxyHops: 1, leewaySeconds: 30, licenseWhenAbsent: 'unlicensed' },
    store,
    log: { info: line, warn: line, error: line },
    installKeysUrl: cdn,
    tenantCacheTtlMs: 1000,
    now: () => new Date(clock),
  });
});

interface Over {
  claims?: Record<string, unknown>;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

async function request(clientKey: string, secret: string, o: Over = {}): Promise<Request> {
  const url = `${appUrl}/lifecycle/installed`;
  const token = await signInstallToken({ pair, clientKey, appBaseUrl: appUrl, url, claims: o.claims });
  const body = { ...lifecyclePayload({ appKey: 'app.key', clientKey, baseUrl: 'https://acme.atlassian.net', eventType: 'installed', sharedSecret: secret, cloudId: `cloud-${clientKey}` }), ...o.body };
  return new Request(url, { method: 'POST', headers: { authorization: `JWT ${token}`, 'x-forwarded-proto': 'https', ...o.headers }, body: JSON.stringify(body) });
}
const install = async (clientKey: string, secret: string, o: Over = {}) => handleLifecycle(rt, 'installed', await request(clientKey, secret, o));

describe('handleLifecycle', () => {
  it('writes only when verified, and keeps no secret or token in the trail or the logs', async () => {
    const secret = randomBytes(24).toString('hex');
    await install('ck-1', secret);
    expect(store.writes).toBe(1);
    await expect(install('ck-2', secret, { claims: { aud: ['https://other.example'] } })).rejects.toMatchObject({ code: 'JWT_AUDIENCE' });
    await expect(install('ck-3', secret, { claims: { iss: 'x' } })).rejects.toMatchObject({ code: 'JWT_ISSUER' });
    expect(store.writes).toBe(1);
    const all = JSON.stringify(store.events) + logs.join('\n');
    expect(all).not.toContain(secret);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('caches install keys by kid: one fetch for many installs', async () => {
    const before = keysServer.requests;
    for (let i = 0; i < 3; i++) await install(`ck-cache-${i}`, 's');
    expect(keysServer.requests - before).toBe(1);
  });
});

describe('the lifecycle audit trail', () => {
  it("records a rejection without the body's clientKey: a victim's trail and export stay clean", async () => {
    await install('victim', 's1');
    await expect(install('victim', 's-attacker', { claims: { aud: ['https://evil.example'] } })).rejects.toMatchObject({ code: 'JWT_AUDIENCE' });
    expect(store.events).toEqual([
      { event: 'installed', clientKey: 'victim', outcome: 'accepted' },
      { event: 'installed', clientKey: null, outcome: 'rejected', reason: 'JWT_AUDIENCE' },
    ]);
  });

  it('records at most 20 rejections a minute and counts the rest in one summary line', async () => {
    const bogus = () => handleLifecycle(rt, 'installed', new Request(`${appUrl}/lifecycle/installed`, { method: 'POST', headers: { authorization: 'JWT not.a.token', 'x-forwarded-proto': 'https' }, body: '{}' }));
    for (let i = 0; i < 100; i++) await expect(bogus()).rejects.toMatchObject({ status: 401 });
    expect(store.events.filter((e) => e.outcome === 'rejected')).toHaveLength(20);
    expect(logs.filter((l) => l.includes('lifecycle rejected'))).toHaveLength(20);
    clock += 61_000;
    await expect(bogus()).rejects.toMatchObject({ status: 401 });
    expect(logs.find((l) => l.includes('over the audit limit'))).toContain('"total":80');
    expect(store.events.filter((e) => e.outcome === 'rejected')).toHaveLength(21);
  });
});

describe('HTTPS, bodies and keys on the lifecycle routes', () => {
  it('refuses a call that did not arrive over https as the trusted proxy says, before reading anything', async () => {
    await expect(install('ck-plain', 's', { headers: { 'x-forwarded-proto': 'http' } })).rejects.toMatchObject({ code: 'HTTPS_REQUIRED' });
    // a client claiming https in front of an appending proxy
    await expect(install('ck-claim', 's', { headers: { 'x-forwarded-proto': 'https, http' } })).rejects.toMatchObject({ code: 'HTTPS_REQUIRED' });
    expect(store.writes).toBe(0);
  });

  const wellFormed = () => signInstallToken({ pair, clientKey: 'ck-big', appBaseUrl: appUrl, url: `${appUrl}/lifecycle/installed` });

  it('stops reading a chunked body at the cap: 413 after ~64 KB of a 64 MB stream, nothing parsed or stored', async () => {
    let pulled = 0;
    const chunk = new Uint8Array(16 * 1024).fill(32);
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled >= 64 * 1024 * 1024) return c.close();
        pulled += chunk.byteLength;
        c.enqueue(chunk);
      },
    });
    const req = new Request(`${appUrl}/lifecycle/installed`, { method: 'POST', headers: { authorization: `JWT ${await wellFormed()}`, 'x-forwarded-proto': 'https' }, body, duplex: 'half' } as RequestInit);
    await expect(handleLifecycle(rt, 'installed', req)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(pulled).toBeLessThanOrEqual(64 * 1024 + 3 * chunk.byteLength);
    expect(store.writes).toBe(0);
  });

  it('refuses a declared Content-Length over the cap without reading the body', async () => {
    const req = new Request(`${appUrl}/lifecycle/installed`, { method: 'POST', headers: { authorization: `JWT ${await wellFormed()}`, 'x-forwarded-proto': 'https', 'content-length': String(10 * 1024 * 1024) }, body: '{}' });
    await expect(handleLifecycle(rt, 'installed', req)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses keys with control characters or oversize before any lookup (400, nothing stored)', async () => {
    await expect(install('ck\u0000nul', 's')).rejects.toMatchObject({ status: 401 }); // iss claim checked first
    await expect(install('ck-ok', 's', { body: { clientKey: 'ck\u0000nul' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(install('ck-ok', 's', { body: { cloudId: 'x'.repeat(300) } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(store.writes).toBe(0);
  });
});

describe('reinstall of a known clientKey (the body is not covered by the signature)', () => {
  it('needs the stored cloudId: another one, or none, is refused; a rename with the same cloudId is accepted', async () => {
    await install('ck-site', 's1');
    await expect(install('ck-site', 's2', { body: { cloudId: 'cloud-other' } })).rejects.toMatchObject({ code: 'JWT_ISSUER' });
    await expect(install('ck-site', 's2', { body: { cloudId: undefined } })).rejects.toMatchObject({ code: 'JWT_ISSUER' });
    expect((await rt.store.find('ck-site'))?.sharedSecret).toBe('s1');
    await install('ck-site', 's3', { body: { baseUrl: 'https://renamed.atlassian.net' } });
    expect(await rt.store.find('ck-site')).toMatchObject({ sharedSecret: 's3', baseUrl: 'https://renamed.atlassian.net' });
  });

  it('with no cloudId stored (older installs), the product host may not change', async () => {
    await install('ck-legacy', 's1', { body: { cloudId: undefined } });
    await expect(install('ck-legacy', 's2', { body: { cloudId: undefined, baseUrl: 'https://elsewhere.atlassian.net' } })).rejects.toMatchObject({ code: 'JWT_ISSUER' });
    await install('ck-legacy', 's3', { body: { cloudId: undefined } });
    expect((await rt.store.find('ck-legacy'))?.sharedSecret).toBe('s3');
  });
});

describe('install keys: what a random kid can cost', () => {
  let cdnServer: Server;
  let cdnUrl: string;
  let hits: number;
  let release: () => void;
  let gate: Promise<void>;

  beforeAll(async () => {
    cdnServer = createServer((req, res) => {
      hits++;
      void gate.then(() => res.writeHead(req.url === `/${pair.kid}` ? 200 : 404).end(req.url === `/${pair.kid}` ? pair.publicPem : 'nope'));
    });
    await new Promise<void>((r) => cdnServer.listen(0, '127.0.0.1', r));
    cdnUrl = `http://127.0.0.1:${(cdnServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => cdnServer.close(() => r())));
  beforeEach(() => {
    hits = 0;
    gate = Promise.resolve();
  });

  it('an unknown kid is fetched once, then remembered; a good key expires after its TTL', async () => {
    let now = 1_000_000;
    const keys = new InstallKeyStore({ cdnUrl, now: () => now, unknownTtlMs: 60_000, keyTtlMs: 3_600_000 });
    for (let i = 0; i < 5; i++) await expect(keys.get('random-kid-1')).rejects.toMatchObject({ code: 'INSTALL_KEY_UNKNOWN' });
    expect(hits).toBe(1);
    await keys.get(pair.kid);
    await keys.get(pair.kid);
    expect(hits).toBe(2);
    now += 3_600_001;
    await keys.get(pair.kid);
    expect(hits).toBe(3);
    await expect(keys.get('random-kid-1')).rejects.toMatchObject({ code: 'INSTALL_KEY_UNKNOWN' });
    expect(hits).toBe(4); // its negative entry expired too
  });

  it('caps fetches in flight: past the cap a random kid is refused at once (429, slow down), not fetched', async () => {
    gate = new Promise((r) => (release = r));
    const keys = new InstallKeyStore({ cdnUrl, maxConcurrentFetches: 2 });
    const slow = [keys.get('r-1'), keys.get('r-2')].map((p) => p.catch((e: unknown) => e));
    await expect(keys.get('r-3')).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    // the same kid again shares the fetch in flight
    const again = keys.get('r-1').catch((e: unknown) => e);
    release();
    expect(await Promise.all([...slow, again])).toEqual([expect.objectContaining({ code: 'INSTALL_KEY_UNKNOWN' }), expect.objectContaining({ code: 'INSTALL_KEY_UNKNOWN' }), expect.objectContaining({ code: 'INSTALL_KEY_UNKNOWN' })]);
    expect(hits).toBe(2);
  });

  it('keeps at most maxUnknown remembered kids (bounded memory)', async () => {
    const keys = new InstallKeyStore({ cdnUrl, maxUnknown: 3 });
    for (const k of ['a', 'b', 'c', 'd']) await expect(keys.get(`u-${k}`)).rejects.toMatchObject({ code: 'INSTALL_KEY_UNKNOWN' });
    expect(hits).toBe(4);
    await expect(keys.get('u-a')).rejects.toMatchObject({ code: 'INSTALL_KEY_UNKNOWN' });
    expect(hits).toBe(5); // the oldest was let go
  });
});
