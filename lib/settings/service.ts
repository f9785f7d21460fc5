import 'server-only';
import { LRUCache } from 'lru-cache';
import { readSettings, writeSettings, type StoredSettings } from './repository';
import type { Settings } from './schema';

/**
 * Settings as the request path reads them: cached per site for a few seconds (every panel load
 * reads them), dropped here at once when this instance saves. Other instances see a save
 * within the TTL.
 */
const SETTINGS_TTL_MS = 5_000;
const cache = new LRUCache<string, StoredSettings>({ max: 10_000, ttl: SETTINGS_TTL_MS });

export async function settingsFor(clientKey: string): Promise<StoredSettings> {
  const hit = cache.get(clientKey);
  if (hit) return hit;
  const stored = await readSettings(clientKey);
  cache.set(clientKey, stored);
  return stored;
}

export async function saveSettings(clientKey: string, input: { version: number; settings: Settings; by: string }): Promise<StoredSettings> {
  try {
    const saved = await writeSettings(clientKey, input);
    cache.set(clientKey, saved);
    return saved;
  } catch (err) {
    cache.delete(clientKey);
    throw err;
  }
}

export function forgetSettings(clientKey: string): void {
  cache.delete(clientKey);
}
