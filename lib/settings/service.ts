import 'server-only';
import { LRUCache } from 'lru-cache';
import type { Settings } from './schema';
import type { SettingsRepository, StoredSettings } from './repository';

/**
 * Settings as the request path reads them: cached per site for a few seconds (every panel load
 * reads them), dropped here at once when this instance saves or the site changes. Other
 * instances see a save within the TTL.
 */
const SETTINGS_TTL_MS = 5_000;

export type SettingsService = ReturnType<typeof createSettingsService>;

export function createSettingsService(repo: SettingsRepository, onTenantChange: (listener: (clientKey: string) => void) => unknown) {
  const cache = new LRUCache<string, StoredSettings>({ max: 10_000, ttl: SETTINGS_TTL_MS });
  onTenantChange((clientKey) => cache.delete(clientKey));

  return {
    async settingsFor(clientKey: string): Promise<StoredSettings> {
      const hit = cache.get(clientKey);
      if (hit) return hit;
      const stored = await repo.read(clientKey);
      cache.set(clientKey, stored);
      return stored;
    },

    async save(clientKey: string, input: { version: number; settings: Settings; by: string }): Promise<StoredSettings> {
      try {
        const saved = await repo.write(clientKey, input);
        cache.set(clientKey, saved);
        return saved;
      } catch (err) {
        cache.delete(clientKey);
        throw err;
      }
    },
  };
}
