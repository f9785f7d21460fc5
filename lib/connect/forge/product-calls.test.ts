import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductClient } from '../product/client';
import type { ProductRequester } from '../product/client';
import type { ConnectRuntime } from '../runtime';
import { createTestRuntime, ForgeJwksServer, installationAri, newForgeKey, signInvocationToken, type ForgeKey } from '../testing';
import type { ForgeInstallationStore } from './installation-store';
import { forgeJwks } from './invocation-token';
import { createForgeWrappers, type ForgeRequestContext } from './wrappers';

/**
 * A Forge remote handler's product calls: the invocation's x-forge-oauth-* tokens, read from
 * the request, go as bearers to the API base URL of its invocation token, and only while the
 * handler runs.
 */

const APP_ID = randomUUID();
const cloudId = randomUUID();
const clientKey = 'ck-forge-wrapper';
let rt: ConnectRuntime;
let jwks: ForgeJwksServer;
let key: ForgeKey;
let gateway: Server;
let gatewayUrl: string;
const seen: { path: string; authorization?: string }[] = [];

const installations: ForgeInstallationStore = {
  findByInstallation: async () => null,
  findBySite: async (s) => (s.cloudId === cloudId ? [{ clientKey, cloudId, productType: 'jira', installedAt: new Date(0), uninstalledAt: null }] : []),
  link: async () => undefined,
};

beforeAll(async () => {
  rt = createTestRuntime();
  await rt.store.upsertInstall({ clientKey, appKey: 'app', sharedSecret: 's'.repeat(32), baseUrl: 'https://acme.atlassian.net', productType: 'jira', cloudId }, new Date());
  jwks = new ForgeJwksServer();
  key = await newForgeKey();
  jwks.add(key);
  await jwks.start();
  gateway = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accountId: 'x', displayName: 'x' }));
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await jwks?.stop();
  await new Promise<void>((r) => gateway.close(() => r()));
});

function wrappers() {
  const product = new ProductClient({
    appKey: 'app',
    resolveTenant: async (ck) => (await rt.tenants.get(ck))?.tenant ?? null,
    authServerUrl: 'https://auth.invalid',
    timeoutMs: 5_000,
    isAllowedBaseUrl: (u) => new URL(u).host === new URL(gatewayUrl).host,
  });
  return createForgeWrappers({ rt, keys: forgeJwks({ url: jwks.url }), installations, appId: APP_ID, product });
}

const productToken = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(randomUUID()));

async function invoke(handler: (ctx: ForgeRequestContext) => Promise<Response>, headers: Record<string, string>, accountId?: string): Promise<Response> {
  const fit = await signInvocationToken({
    key,
    appId: APP_ID,
    installationId: installationAri(),
    cloudId,
    apiBaseUrl: `${gatewayUrl}/ex/jira/${cloudId}`,
    ...(accountId ? { siteUrl: 'https://acme.atlassian.net', accountId } : {}),
  });
  const req = new Request('https://app.example.com/forge/remote', { method: 'POST', headers: { authorization: `Bearer ${fit}`, ...headers } });
  return wrappers().withForgeAuth((_r, ctx) => handler(ctx))(req, { params: Promise.resolve({}) });
}

describe('Forge remote handlers call the product with the invocation tokens', () => {
  it('as app with x-forge-oauth-system, as user with x-forge-oauth-user, at app.apiBaseUrl', async () => {
    const [system, user] = [await productToken(), await productToken()];
    seen.length = 0;
    let ctxJson = '';
    const res = await invoke(
      async (ctx) => {
        ctxJson = JSON.stringify(ctx);
        expect(ctx.product?.tokens).toEqual({ system: true, user: true });
        await ctx.product!.asApp().get('/rest/api/3/myself');
        await ctx.product!.asUser().get('/rest/api/3/myself');
        return Response.json({ ok: true });
      },
      { 'x-forge-oauth-system': system, 'x-forge-oauth-user': user },
      'acc-1',
    );
    expect(res.status).toBe(200);
    expect(seen).toEqual([
      { path: `/ex/jira/${cloudId}/rest/api/3/myself`, authorization: `Bearer ${system}` },
      { path: `/ex/jira/${cloudId}/rest/api/3/myself`, authorization: `Bearer ${user}` },
    ]);
    // The context a handler might log holds no token.
    expect(ctxJson).not.toContain(system);
    expect(ctxJson).not.toContain(user);
  });

  it('drops the tokens when the handler returns: a requester kept past it fails, sending nothing', async () => {
    let kept: ProductRequester | undefined;
    seen.length = 0;
    await invoke(async (ctx) => {
      kept = ctx.product!.asApp();
      return Response.json({});
    }, { 'x-forge-oauth-system': await productToken() });
    expect(await kept!.get('/rest/api/3/myself').catch((e: unknown) => e)).toMatchObject({ name: 'ForgeTokenError', problem: 'disposed' });
    expect(seen).toEqual([]);
  });

  it('without a user token (a backend invocation, or a malformed header) "as user" is a ForgeTokenError, not a call as the app', async () => {
    seen.length = 0;
    const res = await invoke(
      async (ctx) => {
        expect(ctx.product?.tokens).toEqual({ system: true, user: false });
        const err = await ctx.product!.asUser().get('/rest/api/3/myself').catch((e: unknown) => e);
        return Response.json(err);
      },
      { 'x-forge-oauth-system': await productToken(), 'x-forge-oauth-user': 'not a token; with spaces' },
    );
    expect(await res.json()).toMatchObject({ kind: 'auth', token: 'user', problem: 'missing' });
    expect(seen).toEqual([]);
  });
});
