import { importSPKI } from 'jose';
import { LRUCache } from 'lru-cache';
import { lruClock } from './clock';
import { ConnectError } from './errors';

/**
 * Public keys for signed installs, fetched from `${CONNECT_KEYS_CDN_URL}/${kid}`. The kid comes
 * from an unauthenticated header, so it is checked to be a plain token before it goes into a URL
 * (no path traversal, no other host), and every random kid an attacker sends is bounded three
 * ways: an unknown kid is remembered (negative cache) so it costs one fetch, at most a few fetches
 * run at once (the rest answer 429 at once), and good keys expire so memory and trust are bounded.
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
  /** Good keys kept (default 100) and for how long (default 24 h). */
  maxEntries?: number;
  keyTtlMs?: number;
  /** Unknown kids remembered (default 1 000) and for how long (default 10 min). */
  maxUnknown?: number;
  unknownTtlMs?: number;
  /** Key fetches in flight at once (default 4); more answer INSTALL_KEYS_UNAVAILABLE at once. */
  maxConcurrentFetches?: number;
  /** The clock (tests). */
  now?: () => number;
}

export class InstallKeyStore {
  private readonly keys: LRUCache<string, CryptoKey>;
  private readonly unknown: LRUCache<string, true>;
  private readonly inflight = new Map<string, Promise<CryptoKey>>();
  /** Fetches actually sent (for tests and metrics). */
  fetches = 0;

  constructor(private readonly opts: InstallKeyStoreOptions) {
    this.keys = new LRUCache({ max: opts.maxEntries ?? 100, ttl: opts.keyTtlMs ?? 24 * 3_600_000, ...lruClock(opts.now) });
    this.unknown = new LRUCache({ max: opts.maxUnknown ?? 1_000, ttl: opts.unknownTtlMs ?? 10 * 60_000, ...lruClock(opts.now) });
  }

  async get(kid: unknown): Promise<CryptoKey> {
    if (!isValidKid(kid)) throw new ConnectError('INSTALL_KEY_UNKNOWN', 'kid missing or not a plain token');
    const hit = this.keys.get(kid);
    if (hit) return hit;
    if (this.unknown.get(kid)) throw new ConnectError('INSTALL_KEY_UNKNOWN', `install key ${kid} not found (remembered)`);
    const running = this.inflight.get(kid);
    if (running) return running;
    if (this.inflight.size >= (this.opts.maxConcurrentFetches ?? 4)) {
      // The caller is sending unknown kids faster than they can be looked up: "slow down" (429),
      // not a server fault. The product retries a refused install.
      throw new ConnectError('RATE_LIMITED', 'too many install key fetches in flight', { publicMessage: 'Too many requests, try again shortly' });
    }
    const p = this.fetchKey(kid)
      .then((key) => {
        this.keys.set(kid, key);
        return key;
      })
      .catch((err: unknown) => {
        if (err instanceof ConnectError && err.code === 'INSTALL_KEY_UNKNOWN') this.unknown.set(kid, true);
        throw err;
      })
      .finally(() => this.inflight.delete(kid));
    this.inflight.set(kid, p);
    return p;
  }

  private async fetchKey(kid: string): Promise<CryptoKey> {
    const url = `${this.opts.cdnUrl.replace(/\/+$/, '')}/${encodeURIComponent(kid)}`;
    this.fetches++;
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
      await res.body?.cancel().catch(() => undefined);
      throw new ConnectError('INSTALL_KEY_UNKNOWN', `install key ${kid} not found (${res.status})`);
    }
    if (!res.ok) throw new ConnectError('INSTALL_KEYS_UNAVAILABLE', `install key service answered ${res.status}`);
    const pem = (await res.text()).trim().slice(0, 16_384);
    try {
      return await importSPKI(pem, 'RS256');
    } catch (err) {
      throw new ConnectError('INSTALL_KEY_UNKNOWN', 'install key is not an RSA public key', { cause: err });
    }
  }
}
