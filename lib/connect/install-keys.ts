import { importSPKI } from 'jose';
import { ConnectError } from './errors';

/**
 * Public keys for signed installs, fetched from `${CONNECT_KEYS_CDN_URL}/${kid}` and cached by
 * kid. The kid comes from an unauthenticated header, so it is checked to be a plain token
 * before it goes into a URL (no path traversal, no other host).
 * https://developer.atlassian.com/cloud/jira/platform/security-for-connect-apps/#validating-installation-lifecycle-requests
 */
const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidKid(kid: unknown): kid is string {
  return typeof kid === 'string' && KID.test(kid) && !kid.includes('..');
}

export interface InstallKeyStoreOptions {
  cdnUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Keys are immutable per kid; cap memory anyway. */
  maxEntries?: number;
}

export class InstallKeyStore {
  private readonly cache = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly opts: InstallKeyStoreOptions) {}

  async get(kid: unknown): Promise<CryptoKey> {
    if (!isValidKid(kid)) throw new ConnectError('INSTALL_KEY_UNKNOWN', 'kid missing or not a plain token');
    const hit = this.cache.get(kid);
    if (hit) return hit;
    const p = this.fetchKey(kid);
    this.cache.set(kid, p);
    p.catch(() => this.cache.delete(kid)); // only good keys stay cached
    if (this.cache.size > (this.opts.maxEntries ?? 100)) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return p;
  }

  private async fetchKey(kid: string): Promise<CryptoKey> {
    const url = `${this.opts.cdnUrl.replace(/\/+$/, '')}/${encodeURIComponent(kid)}`;
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(url, {
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
        redirect: 'error',
      });
    } catch (err) {
      throw new ConnectError('INSTALL_KEYS_UNAVAILABLE', `install key fetch failed: ${(err as Error).message}`);
    }
    if (res.status === 404 || res.status === 403) {
      throw new ConnectError('INSTALL_KEY_UNKNOWN', `install key ${kid} not found (${res.status})`);
    }
    if (!res.ok) throw new ConnectError('INSTALL_KEYS_UNAVAILABLE', `install key service answered ${res.status}`);
    const pem = (await res.text()).trim();
    try {
      return await importSPKI(pem, 'RS256');
    } catch (err) {
      throw new ConnectError('INSTALL_KEY_UNKNOWN', 'install key is not an RSA public key', { cause: err });
    }
  }
}
