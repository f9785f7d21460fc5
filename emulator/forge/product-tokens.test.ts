import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { ProductAuthError } from '../lib/app-auth';
import { userByKey } from '../lib/directory';
import { newSite, type Site } from '../lib/state';
import { installationAri } from './invocation-tokens';
import { ForgeProductTokens } from './product-tokens';

/** Every way the emulator's API gateway refuses a Forge product token, and what it accepts. */

const T0 = Date.UTC(2026, 11, 3, 12);
function setup() {
  let t = T0;
  const tokens = new ForgeProductTokens(() => t, 300);
  const site: Site = { ...newSite('jira', 'http://localhost:1'), installed: true, enabled: true, descriptor: { key: 'app', scopes: ['read', 'write'] } } as Site;
  const installationId = installationAri();
  const uma = userByKey('user')!.accountId;
  const base = { installationId, cloudId: site.cloudId, product: 'jira' };
  return { tokens, site, installationId, uma, base, advance: (ms: number) => (t += ms) };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => {
      throw new Error('token accepted');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProductAuthError);
  return (err as ProductAuthError).code;
}

describe('Forge product tokens at the emulated API gateway', () => {
  it('a system token acts as the app; a user token as that user, with the app scopes', async () => {
    const { tokens, site, installationId, uma, base } = setup();
    const system = await tokens.issue({ ...base, kind: 'system' });
    expect(await tokens.verify(`Bearer ${system}`, site, installationId)).toEqual({ kind: 'app', clientKey: site.clientKey });
    const user = await tokens.issue({ ...base, kind: 'user', accountId: uma });
    expect(await tokens.verify(`Bearer ${user}`, site, installationId)).toEqual({ kind: 'user', clientKey: site.clientKey, accountId: uma, scopes: ['READ', 'WRITE'], via: 'bearer' });
    expect(decodeJwt(user).exp! - decodeJwt(user).iat!).toBe(300);
  });

  it.each([
    ['no Authorization', async () => undefined, 'AUTH_MISSING'],
    ['a Connect JWT scheme', async () => 'JWT abc.def.ghi', 'AUTH_MISSING'],
    ['garbage', async () => 'Bearer not-a-token', 'FORGE_TOKEN_INVALID'],
    ['signed by someone else', async () => `Bearer ${await new ForgeProductTokens(() => T0).issue({ ...setupBase(), kind: 'system' })}`, 'FORGE_TOKEN_INVALID'],
    ['signed with alg none', async () => `Bearer ${unsigned()}`, 'FORGE_TOKEN_INVALID'],
  ])('refuses %s', async (_n, authorization, code) => {
    const { tokens, site, installationId } = setup();
    expect(await refusal(tokens.verify(await authorization(), site, installationId))).toBe(code);
  });

  it('refuses a token whose claims were altered (the signature no longer matches)', async () => {
    const { tokens, site, installationId, base } = setup();
    const [h, , sig] = (await tokens.issue({ ...base, kind: 'system' })).split('.');
    const forged = Buffer.from(JSON.stringify({ ...base, kind: 'user', accountId: 'x', iss: 'emulator/forge-product-token', exp: 9e9, iat: 1 })).toString('base64url');
    expect(await refusal(tokens.verify(`Bearer ${h}.${forged}.${sig}`, site, installationId))).toBe('FORGE_TOKEN_INVALID');
  });

  it('refuses an expired token', async () => {
    const { tokens, site, installationId, base, advance } = setup();
    const system = await tokens.issue({ ...base, kind: 'system' });
    advance(301_000);
    expect(await refusal(tokens.verify(`Bearer ${system}`, site, installationId))).toBe('FORGE_TOKEN_EXPIRED');
  });

  it('refuses a token of another site, another product and another (or an ended) installation', async () => {
    const { tokens, site, installationId, base } = setup();
    const other = await tokens.issue({ ...base, cloudId: randomUUID(), kind: 'system' });
    expect(await refusal(tokens.verify(`Bearer ${other}`, site, installationId))).toBe('FORGE_TOKEN_OTHER_SITE');
    const conf = await tokens.issue({ ...base, product: 'confluence', kind: 'system' });
    expect(await refusal(tokens.verify(`Bearer ${conf}`, site, installationId))).toBe('FORGE_TOKEN_OTHER_SITE');
    const system = await tokens.issue({ ...base, kind: 'system' });
    expect(await refusal(tokens.verify(`Bearer ${system}`, site, installationAri()))).toBe('FORGE_TOKEN_OTHER_INSTALLATION');
    expect(await refusal(tokens.verify(`Bearer ${system}`, site, undefined))).toBe('FORGE_TOKEN_OTHER_INSTALLATION');
    expect(await refusal(tokens.verify(`Bearer ${system}`, { ...site, installed: false }, installationId))).toBe('NOT_INSTALLED');
  });

  it('refuses a user token once its account lost access to the site (and an unknown account), accepts it again after access is restored', async () => {
    const { tokens, site, installationId, uma, base } = setup();
    const user = await tokens.issue({ ...base, kind: 'user', accountId: uma });
    tokens.revokeAccess(site.cloudId, uma);
    expect(await refusal(tokens.verify(`Bearer ${user}`, site, installationId))).toBe('FORGE_USER_NO_ACCESS');
    // The system token of the same installation is unaffected.
    await expect(tokens.verify(`Bearer ${await tokens.issue({ ...base, kind: 'system' })}`, site, installationId)).resolves.toMatchObject({ kind: 'app' });
    tokens.restoreAccess(site.cloudId, uma);
    await expect(tokens.verify(`Bearer ${user}`, site, installationId)).resolves.toMatchObject({ kind: 'user', accountId: uma });
    const ghost = await tokens.issue({ ...base, kind: 'user', accountId: 'no-such-account' });
    expect(await refusal(tokens.verify(`Bearer ${ghost}`, site, installationId))).toBe('FORGE_USER_NO_ACCESS');
  });
});

function setupBase() {
  return { installationId: installationAri(), cloudId: randomUUID(), product: 'jira' };
}

function unsigned(): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ kind: 'system', iss: 'emulator/forge-product-token', exp: 9e9, iat: 1 })}.`;
}
