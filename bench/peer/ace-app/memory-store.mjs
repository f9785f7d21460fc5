/**
 * An in-memory store for atlassian-connect-express, registered through ACE's documented adapter
 * API (`ace.store.register(name, factory)`; the interface is `StoreAdapter` in ACE's
 * types/index.d.ts). ACE's default store is Sequelize on an in-memory SQLite, which needs the
 * native `sqlite3` module: it has no prebuilt binary reachable here and compiling it takes many
 * minutes. Values are kept as JSON text and parsed on every read, as ACE's own Redis adapter and
 * Sequelize's JSON column do, so a read costs a deserialisation but no I/O: this favours ACE
 * (our app reads its tenant and checklist from PostgreSQL/PGlite), which makes "≥ 1.0× ACE" a
 * conservative target.
 * https://bitbucket.org/atlassian/atlassian-connect-express/src/master/lib/store/redis.js
 */

const asObject = (text) => (text === undefined ? null : JSON.parse(text));
const asText = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

class MemoryAdapter {
  constructor() {
    this.rows = new Map();
    this.installations = new Map();
  }

  async get(key, clientKey) {
    return asObject(this.rows.get(`${clientKey}:${key}`));
  }

  async set(key, value, clientKey) {
    this.rows.set(`${clientKey}:${key}`, asText(value));
    return this.get(key, clientKey);
  }

  async del(key, clientKey) {
    if (clientKey === undefined) {
      for (const k of this.rows.keys()) if (k.startsWith(`${key}:`)) this.rows.delete(k);
    } else this.rows.delete(`${clientKey}:${key}`);
  }

  async saveInstallation(value, clientKey) {
    const saved = await this.set('clientInfo', value, clientKey);
    if (saved.installationId) await this.associateInstallations(saved.installationId, clientKey);
    return saved;
  }

  async getAllClientInfos() {
    return [...this.rows.entries()].filter(([k]) => k.endsWith(':clientInfo')).map(([, v]) => asObject(v));
  }

  isMemoryStore() {
    return true;
  }

  async associateInstallations(installationId, clientKey) {
    this.installations.set(installationId, clientKey);
  }

  async deleteAssociation(installationId) {
    this.installations.delete(installationId);
  }

  async getClientSettingsForForgeInstallation(installationId) {
    const clientKey = this.installations.get(installationId);
    return clientKey ? this.get('clientInfo', clientKey) : null;
  }

  forForgeInstallation(installationId) {
    const key = (k) => `forge:${installationId}:${k}`;
    return {
      get: async (k) => asObject(this.rows.get(key(k))),
      set: async (k, v) => (this.rows.set(key(k), asText(v)), v),
      del: async (k) => void this.rows.delete(key(k)),
    };
  }
}

/** Registers the adapter as `bench-memory` (selected by config.json's `store.adapter`). */
export function registerMemoryStore(ace) {
  ace.store.register('bench-memory', () => new MemoryAdapter());
}
