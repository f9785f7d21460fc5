import { randomBytes, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ProductAuthError, type Principal } from '../lib/app-auth';
import { userByAccountId } from '../lib/directory';
import type { Site } from '../lib/state';

/**
 * The product tokens Forge hands a remote with each invocation, and their check at the API
 * gateway (`app.apiBaseUrl`): `x-forge-oauth-system` acts as the app's bot user,
 * `x-forge-oauth-user` as the invoking user. Both are JWTs whose `exp` ends them.
 * https://developer.atlassian.com/platform/forge/remote/calling-product-apis/
 *
 * Here they are HS256 JWTs signed with a secret only the emulator knows, so a forged or altered
 * token fails its signature; each names the installation, site (cloud id) and, for a user token,
 * the account, and is checked against the site as it is now (still adopted by that installation,
 * the account still has access).
 */

export type ForgeTokenKind = 'system' | 'user';

export interface ProductTokenClaims {
  kind: ForgeTokenKind;
  installationId: string;
  cloudId: string;
  product: string;
  accountId?: string;
}

const ISSUER = 'emulator/forge-product-token';

export class ForgeProductTokens {
  private readonly secret = new Uint8Array(randomBytes(32));
  /** Accounts that lost access to a site (cloud id → account ids). */
  private readonly revoked = new Map<string, Set<string>>();

  constructor(
    private readonly now: () => number,
    /** Lifetime of an issued token. */
    readonly ttlSeconds = 300,
  ) {}

  issue(claims: ProductTokenClaims, ttlSeconds = this.ttlSeconds): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(claims.accountId ?? `app:${claims.installationId}`)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.secret);
  }

  revokeAccess(cloudId: string, accountId: string): void {
    const set = this.revoked.get(cloudId) ?? new Set<string>();
    set.add(accountId);
    this.revoked.set(cloudId, set);
  }

  restoreAccess(cloudId: string, accountId: string): void {
    this.revoked.get(cloudId)?.delete(accountId);
  }

  hasAccess(cloudId: string, accountId: string): boolean {
    return !!userByAccountId(accountId) && !this.revoked.get(cloudId)?.has(accountId);
  }

  reset(): void {
    this.revoked.clear();
  }

  /**
   * The caller of a gateway request to `site` (currently adopted by `installationId`), or a
   * ProductAuthError: 401 with a body saying which check failed.
   */
  async verify(authorization: string | undefined, site: Site, installationId: string | undefined): Promise<Principal> {
    const fail = (code: ConstructorParameters<typeof ProductAuthError>[0], message: string): never => {
      throw new ProductAuthError(code, message);
    };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!m) return fail('AUTH_MISSING', 'no Authorization: Bearer <Forge token>');
    let claims: Partial<ProductTokenClaims>;
    try {
      ({ payload: claims } = await jwtVerify<Partial<ProductTokenClaims>>(m[1]!, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return fail('FORGE_TOKEN_EXPIRED', 'the Forge token has expired');
      return fail('FORGE_TOKEN_INVALID', 'not a Forge token this platform issued');
    }
    if (claims.cloudId !== site.cloudId || claims.product !== site.product) return fail('FORGE_TOKEN_OTHER_SITE', 'the Forge token is for another site');
    if (!installationId || claims.installationId !== installationId) return fail('FORGE_TOKEN_OTHER_INSTALLATION', 'the Forge token is for another installation of the app');
    if (!site.installed || !site.descriptor) return fail('NOT_INSTALLED', 'the app is not installed on this site');
    // Forge tokens carry the app's scopes (the manifest's `*:connect-<product>` ones).
    const scopes = (site.descriptor.scopes ?? []).map((s) => s.toUpperCase());
    if (claims.kind === 'system') return { kind: 'app', clientKey: site.clientKey };
    if (claims.kind !== 'user' || !claims.accountId) return fail('FORGE_TOKEN_INVALID', 'not a Forge token this platform issued');
    if (!this.hasAccess(site.cloudId, claims.accountId)) return fail('FORGE_USER_NO_ACCESS', 'the user of this Forge token no longer has access to this site');
    return { kind: 'user', clientKey: site.clientKey, accountId: claims.accountId, scopes, via: 'bearer' };
  }
}
