import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorStack, type Stack } from '@/scripts/stack';
import { databaseOptions } from '@/test/support/database';
import type { Emulator } from '../lib/emulator';

/**
 * The emulator plays a Forge-adopted site against the built app over real HTTP: its own JWKS,
 * Forge invocation tokens on remote calls, and the adopted lifecycle (no enabled/disabled, no
 * callback on a minor update, no `uninstalled` on the switch).
 */

let stack: Stack;
let emu: Emulator;

beforeAll(async () => {
  // scripts/stack mounts the emulator's Forge extension and gives the app its JWKS and app id.
  stack = await startEmulatorStack({ ...(await databaseOptions()), env: { FORGE_JWKS_COOLDOWN_SECONDS: '1', PRODUCT_RENDER_BUDGET_MS: '10000' } });
  ({ emu } = stack);
  // (PRODUCT_RENDER_BUDGET_MS: a healthy local product; a slow machine must not turn a complete answer into a degraded one.)
  expect(stack.installed.map((r) => r.status)).toEqual([204, 204]);
});
afterAll(async () => {
  await stack?.stop();
});

async function api(action: string, body: object = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/_emu/ext/forge/api/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const forgeState = async () => ((await (await fetch(`${emu.url}/_emu/api/state`)).json()) as { extensions: { forge: { sites: Record<string, { adopted: boolean; installationId?: string }> } } }).extensions.forge;

describe('emulator: a Forge-adopted site', () => {
  it('serves its own JWKS and refuses Forge calls before the site is adopted', async () => {
    const jwks = (await (await fetch(`${emu.url}/.well-known/jwks.json`)).json()) as { keys: { kty: string; alg: string; kid: string }[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256' })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect((await api('invoke', { path: '/forge/remote' })).status).toBe(409);
  });

  it('the switch to Forge sends `avi:forge:installed:app` with a Forge token and no Connect `uninstalled`', async () => {
    const before = emu.lifecycleLog.list().length;
    const r = await api('adopt', { product: 'jira' });
    expect(r.json).toMatchObject({ kind: 'avi:forge:installed:app', path: '/forge/lifecycle/installed', status: 204 });
    expect(emu.lifecycleLog.list().length).toBe(before);
    expect((await forgeState()).sites.jira).toMatchObject({ adopted: true });
  });

  it('remote calls carry a Forge invocation token the app maps onto the Connect tenant', async () => {
    const r = await api('invoke', { path: '/forge/remote' });
    expect(r.json.status).toBe(200);
    const body = JSON.parse(r.json.response as string) as Record<string, unknown>;
    expect(body).toMatchObject({
      clientKey: emu.site('jira').clientKey,
      installationId: (await forgeState()).sites.jira!.installationId,
      cloudId: emu.site('jira').cloudId,
      siteUrl: emu.site('jira').baseUrl,
      accountId: emu.actingAccountId(),
      license: { param: 'active', licensed: true },
    });
    const backend = await api('invoke', { path: '/forge/remote', backend: true });
    expect(JSON.parse(backend.json.response as string)).toMatchObject({ clientKey: emu.site('jira').clientKey, accountId: null, siteUrl: null });
  });

  it('the remote calls the product through the API gateway with the invocation tokens: system token as the app, user token as the user', async () => {
    const site = emu.site('jira');
    const before = emu.restLog.list().length;
    const r = await api('invoke', { path: '/forge/remote' });
    expect(r.json.status).toBe(200);
    const body = JSON.parse(r.json.response as string) as { product: unknown };
    expect(body.product).toEqual({
      app: { accountId: `557058:app-${site.descriptor!.key}`, accountType: 'app' },
      user: { accountId: emu.actingAccountId(), accountType: 'atlassian' },
    });
    const calls = emu.restLog.list().slice(before).filter((c) => c.path.startsWith('/rest/api/3/myself'));
    expect(calls.map((c) => [c.auth, c.status, c.accountId ?? null]).sort()).toEqual(
      [['forge', 200, emu.actingAccountId()], ['forge', 200, null]].sort(),
    );
    // A backend invocation (no user): the system token only.
    const backend = await api('invoke', { path: '/forge/remote', backend: true });
    expect((JSON.parse(backend.json.response as string) as { product: unknown }).product).toEqual({ app: expect.objectContaining({ accountType: 'app' }), user: null });
  });

  it('the API gateway verifies its bearer tokens: 401 with a clear body for missing, forged, expired, foreign and revoked ones', async () => {
    const site = emu.site('jira');
    const gateway = `${emu.url}/ex/jira/${site.cloudId}`;
    const me = (authorization?: string, base = gateway) => fetch(`${base}/rest/api/3/myself`, { headers: authorization ? { authorization } : {} });
    const refused = async (res: Response) => {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const b = (await res.json()) as { code: string; errorMessages: string[] };
      expect(b.errorMessages[0]).toMatch(/\w/);
      return b.code;
    };
    const token = async (body: object) => (await api('issue-token', { product: 'jira', ...body })).json.token as string;
    const system = await token({ kind: 'system' });
    expect(await (await me(`Bearer ${system}`)).json()).toMatchObject({ accountType: 'app' });
    expect(await refused(await me())).toBe('AUTH_MISSING');
    expect(await refused(await me(`Bearer ${system.slice(0, -4)}AAAA`))).toBe('FORGE_TOKEN_INVALID');
    expect(await refused(await me(`Bearer ${await token({ kind: 'system', ttlSeconds: -1 })}`))).toBe('FORGE_TOKEN_EXPIRED');
    // A Jira token at the Confluence site's gateway URL.
    const conf = emu.site('confluence');
    expect(await refused(await me(`Bearer ${system}`, `${emu.url}/ex/confluence/${conf.cloudId}/wiki`))).toBe('FORGE_TOKEN_OTHER_SITE');
    // A user token acts as that user until the account loses access to the site.
    const umaId = ((await (await me(`Bearer ${await token({ kind: 'user' })}`)).json()) as { accountId: string }).accountId;
    expect(umaId).toBe(emu.actingAccountId());
    const userToken = await token({ kind: 'user' });
    await api('revoke-access', { product: 'jira', accountId: umaId });
    try {
      expect(await refused(await me(`Bearer ${userToken}`))).toBe('FORGE_USER_NO_ACCESS');
      // ...and the next invocation carries no user token at all.
      const r = await api('invoke', { path: '/forge/remote' });
      expect((JSON.parse(r.json.response as string) as { product: { user: unknown } }).product.user).toBeNull();
    } finally {
      await api('restore-access', { product: 'jira', accountId: umaId });
    }
    expect(emu.restLog.list().filter((c) => c.auth === 'forge' && c.status === 401).length).toBeGreaterThanOrEqual(5);
  });

  it('faults and rate limits apply to gateway calls like to Connect calls; the app retries them through its pipeline', async () => {
    const before = emu.restLog.list().length;
    await fetch(`${emu.url}/_emu/api/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rateLimit: { reason: 'jira-burst-based', retryAfterSeconds: 1, path: '/rest/api/3/myself', times: 1 } }),
    });
    const r = await api('invoke', { path: '/forge/remote' });
    const body = JSON.parse(r.json.response as string) as { product: { app: object; user: object } };
    expect(body.product.app).toMatchObject({ accountType: 'app' });
    expect(body.product.user).toMatchObject({ accountId: emu.actingAccountId() });
    const calls = emu.restLog.list().slice(before).filter((c) => c.path.startsWith('/rest/api/3/myself'));
    expect(calls.map((c) => c.status)).toContain(429);
    expect(calls.filter((c) => c.status === 200)).toHaveLength(2);
  });

  it('the app never logged a token: no JWT, no Authorization value, no Forge token header anywhere in its output', () => {
    const out = stack.appOutput();
    expect(out).toMatch(/forge|product/i); // it did log (these calls, the 429 above)
    expect(out).not.toMatch(/eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/);
    expect(out).not.toMatch(/Bearer\s+\S{20,}/);
    expect(out).not.toMatch(/x-forge-oauth-(system|user)"?\s*[:=]\s*"?ey/i);
  });

  it('sends no enabled/disabled any more, and the app keeps serving the site', async () => {
    const [disabled] = await emu.disable('jira');
    expect(disabled).toMatchObject({ event: 'disabled', skipped: 'suppressed by forge' });
    const [enabled] = await emu.enable('jira');
    expect(enabled).toMatchObject({ event: 'enabled', skipped: 'suppressed by forge' });
    expect((await api('invoke', { path: '/forge/remote' })).json.status).toBe(200);
  });

  it('a minor update sends nothing; a major one sends `avi:forge:upgraded:app`', async () => {
    const calls = (await forgeState()) as unknown as { calls: unknown[] };
    const n = calls.calls.length;
    expect((await api('update', { product: 'jira', kind: 'minor' })).json).toEqual({ kind: 'minor', sent: false });
    const major = await api('update', { product: 'jira', kind: 'major' });
    expect(major.json).toMatchObject({ kind: 'avi:forge:upgraded:app', status: 204 });
    expect(((await forgeState()) as unknown as { calls: { kind: string }[] }).calls.slice(n).map((c) => c.kind)).toEqual(['minor update', 'avi:forge:upgraded:app']);
  });

  it('a rotated signing key is picked up by the app (unknown kid → one JWKS refetch after the cooldown)', async () => {
    const { json } = await api('rotate-key');
    expect(typeof json.kid).toBe('string');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api('invoke', { path: '/forge/remote' })).json.status).toBe(200);
  });

  it('the control page offers the Forge actions', async () => {
    const html = await (await fetch(`${emu.url}/_emu`)).text();
    expect(html).toContain('data-testid="forge-status-jira">Forge 3.0.0<');
    expect(html).toContain('install the Connect app first');
    const form = await fetch(`${emu.url}/_emu/ext/forge/action`, { method: 'POST', body: new URLSearchParams({ action: 'update', product: 'jira', kind: 'minor' }), redirect: 'manual' });
    expect(form.status).toBe(303);
    expect(decodeURIComponent(form.headers.get('location') ?? '')).toContain('forge update: minor');
  });

  it('uninstalling ends the Forge installation (Connect `uninstalled` is still sent)', async () => {
    const out = await emu.uninstall('jira');
    expect(out.map((o) => [o.event, o.skipped ?? o.status])).toEqual([
      ['disabled', 'suppressed by forge'],
      ['uninstalled', 204],
    ]);
    expect((await forgeState()).sites.jira).toMatchObject({ adopted: false });
    expect((await api('invoke', { path: '/forge/remote' })).status).toBe(409);
  });
});
