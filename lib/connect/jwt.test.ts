import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConnectError } from './errors';
import { hmacKey, verifyJwt, type VerifyOptions } from './jwt';

/**
 * HS256 tokens are checked with node:crypto (verifyHs256) when the key is a Node key, and by jose
 * when it is a WebCrypto key. Both must decide every token the same way: each case below goes
 * through both and must end in the same outcome (the claims, or the same JWT_* code).
 */
const SECRET = 'a-shared-secret-of-the-tenant-that-is-long-enough';
const NOW = Date.parse('2026-12-03T12:00:00Z');
const now = NOW / 1000;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const sign = (header: unknown, payload: unknown, secret = SECRET) => {
  const input = `${b64(header)}.${typeof payload === 'string' ? payload : b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const H = { alg: 'HS256', typ: 'JWT' };
const claims = (o: Record<string, unknown> = {}) => ({ iss: 'tenant-1', sub: 'user-1', iat: now - 10, exp: now + 170, qsh: 'x'.repeat(64), ...o });

const cases: [string, string, Partial<VerifyOptions>?][] = [
  ['valid', sign(H, claims())],
  ['valid, within the leeway after exp', sign(H, claims({ exp: now - 20 }))],
  ['expired past the leeway', sign(H, claims({ exp: now - 31 }))],
  ['exp exactly now − leeway', sign(H, claims({ exp: now - 30 }))],
  ['exp missing', sign(H, claims({ exp: undefined }))],
  ['exp not a number', sign(H, claims({ exp: String(now + 100) }))],
  ['iat in the future past the leeway', sign(H, claims({ iat: now + 31 }))],
  ['iat in the future within the leeway', sign(H, claims({ iat: now + 29 }))],
  ['iat not a number', sign(H, claims({ iat: 'yesterday' }))],
  ['nbf in the future past the leeway', sign(H, claims({ nbf: now + 31 }))],
  ['nbf not a number', sign(H, claims({ nbf: [] }))],
  ['wrong secret', sign(H, claims(), 'another-secret')],
  ['signature of another token', `${sign(H, claims()).split('.').slice(0, 2).join('.')}.${sign(H, claims({ sub: 'x' })).split('.')[2]}`],
  ['signature cut short', sign(H, claims()).slice(0, -4)],
  ['no signature', `${b64(H)}.${b64(claims())}.`],
  ['alg none', `${b64({ alg: 'none' })}.${b64(claims())}.`],
  ['alg HS512', sign({ alg: 'HS512' }, claims())],
  ['alg RS256 signed with the secret', sign({ alg: 'RS256' }, claims())],
  ['crit header', sign({ ...H, crit: ['exp'], exp: 1 }, claims())],
  ['b64 header', sign({ ...H, b64: false, crit: ['b64'] }, claims())],
  ['payload not UTF-8', sign(H, Buffer.from([0x7b, 0x22, 0x69, 0x73, 0x73, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('base64url'))],
  ['issuer expected and matches', sign(H, claims()), { issuer: 'tenant-1' }],
  ['issuer expected, another', sign(H, claims()), { issuer: 'tenant-2' }],
  ['audience expected and matches', sign(H, claims({ aud: 'app:session' })), { audience: 'app:session' }],
  ['audience in a list', sign(H, claims({ aud: ['x', 'app:session'] })), { audience: 'app:session' }],
  ['audience expected, another', sign(H, claims({ aud: 'other' })), { audience: 'app:session' }],
  ['audience expected, missing', sign(H, claims()), { audience: 'app:session' }],
  ['audience expected, not a string', sign(H, claims({ aud: 7 })), { audience: 'app:session' }],
];

async function outcome(token: string, key: CryptoKey | ReturnType<typeof hmacKey> | Uint8Array, o: Partial<VerifyOptions> = {}): Promise<unknown> {
  try {
    return await verifyJwt(token, key, { algorithm: 'HS256', leewaySeconds: 30, currentDate: new Date(NOW), ...o });
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    return (err as ConnectError).code;
  }
}

describe('HS256 verification on node:crypto decides as jose does', () => {
  it.each(cases)('%s', async (_name, token, o) => {
    const webcrypto = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const mine = await outcome(token, hmacKey(SECRET), o);
    expect(mine).toEqual(await outcome(token, webcrypto, o));
    // Raw key bytes take the same path as the Node key.
    expect(await outcome(token, new TextEncoder().encode(SECRET), o)).toEqual(mine);
  });

  it('valid tokens verify and invalid ones do not (the cases are not all one outcome)', async () => {
    const outcomes = await Promise.all(cases.map(([, token, o]) => outcome(token, hmacKey(SECRET), o)));
    expect(outcomes.filter((x) => typeof x === 'object').length).toBe(6);
    expect(new Set(outcomes.filter((x) => typeof x === 'string'))).toEqual(new Set(['JWT_EXPIRED', 'JWT_CLAIMS', 'JWT_NOT_YET_VALID', 'JWT_SIGNATURE', 'JWT_ALGORITHM', 'JWT_MALFORMED', 'JWT_ISSUER', 'JWT_AUDIENCE']));
  });
});
