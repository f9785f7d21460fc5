import type { KeyObject } from 'node:crypto';
import type { ConnectClaims } from './jwt';

/**
 * Context JWTs verified recently, by their exact string. An iframe reuses its context JWT for
 * every API call until it expires, so re-verifying the HMAC each time is wasted work on the hot
 * path. An entry is only valid under the same imported key (a rotated secret means a full
 * verification); expiry and the tenant's state are checked by the caller on every use.
 */
export class VerifiedTokenMemo {
  private readonly entries = new Map<string, { claims: ConnectClaims; key: KeyObject }>();

  constructor(private readonly max = 5_000) {}

  get(token: string): { claims: ConnectClaims; key: KeyObject } | undefined {
    return this.entries.get(token);
  }

  remember(token: string, claims: ConnectClaims, key: KeyObject): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { claims, key });
  }

  forget(token: string): void {
    this.entries.delete(token);
  }
}
