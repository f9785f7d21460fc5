import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { ConnectError } from './errors';
import { verifyJwt } from './jwt';
import type { LicenseParam } from './context';

/**
 * Short-lived session tokens the app issues when the product loads one of its iframe pages
 * with a valid page JWT. They carry what the product signed into that page URL (tenant, user,
 * license, locale) so the iframe's API calls need not trust anything the browser can change.
 * Signed with a key derived from the app's own secret, so no product token can pass as one.
 */
export interface SessionClaims {
  clientKey: string;
  accountId?: string;
  lic: LicenseParam;
  loc?: string;
  tz?: string;
  /** The module the page was loaded for (e.g. `admin`). */
  mod?: string;
  /** Where in the product the page was loaded (issue/project ids from the signed URL). */
  scp?: Record<string, string>;
  /** When it was issued (seconds); set on verification. */
  iat?: number;
}

const TYP = 'connect-session+jwt';

export class SessionTokens {
  /** Imported once: jose would otherwise import raw key bytes on every sign. */
  private readonly key: Promise<CryptoKey>;
  /** The same bytes for verification, on the request's thread (verifyJwt: every API call verifies one). */
  private readonly verifyKey: KeyObject;

  constructor(
    /** 32 bytes of the app's own (derived) key material: see deriveKey in runtime.ts. */
    key: Uint8Array,
    private readonly appKey: string,
    private readonly ttlSeconds: number,
    private readonly leewaySeconds: number,
  ) {
    this.key = crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    this.verifyKey = createSecretKey(new Uint8Array(key));
  }

  /**
   * Identical claims get the same token for a while (one user opening issue after issue): the
   * page hot path then signs nothing. A reused token always has at least 3/4 of its TTL left.
   */
  private readonly recent = new Map<string, { token: string; reuseUntil: number }>();

  async issue(claims: SessionClaims, now = new Date()): Promise<string> {
    const cacheKey = JSON.stringify([claims.clientKey, claims.accountId, claims.lic, claims.loc, claims.tz, claims.mod, claims.scp]);
    const hit = this.recent.get(cacheKey);
    if (hit && hit.reuseUntil > now.getTime()) return hit.token;
    const token = await this.sign(claims, now);
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(cacheKey, { token, reuseUntil: now.getTime() + (this.ttlSeconds * 1000) / 4 });
    return token;
  }

  private async sign(claims: SessionClaims, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({ tnt: claims.clientKey, lic: claims.lic, loc: claims.loc, tz: claims.tz, mod: claims.mod, scp: claims.scp })
      .setProtectedHeader({ alg: 'HS256', typ: TYP })
      .setIssuer(this.appKey)
      .setAudience(`${this.appKey}:session`)
      .setSubject(claims.accountId ?? '')
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(await this.key);
  }

  async verify(token: string, now?: Date): Promise<SessionClaims> {
    const claims = await verifyJwt(token, this.verifyKey, {
      algorithm: 'HS256',
      leewaySeconds: this.leewaySeconds,
      audience: `${this.appKey}:session`,
      issuer: this.appKey,
      currentDate: now,
    });
    const c = claims as Record<string, unknown>;
    if (typeof c.tnt !== 'string' || !['active', 'none', 'absent'].includes(String(c.lic))) {
      throw new ConnectError('JWT_CLAIMS', 'session token claims invalid');
    }
    return {
      clientKey: c.tnt,
      accountId: typeof c.sub === 'string' && c.sub ? c.sub : undefined,
      lic: c.lic as LicenseParam,
      loc: typeof c.loc === 'string' ? c.loc : undefined,
      tz: typeof c.tz === 'string' ? c.tz : undefined,
      mod: typeof c.mod === 'string' ? c.mod : undefined,
      scp: c.scp && typeof c.scp === 'object' ? (c.scp as Record<string, string>) : undefined,
      iat: typeof c.iat === 'number' ? c.iat : undefined,
    };
  }
}
