import 'server-only';
import path from 'node:path';
import type { Env } from './env';
import type { Logger } from './log';
import { openDatabase, type Database } from './db/open';

export { DatabaseUnavailable } from './db/open';
export type { Database };

/**
 * The one database: embedded PGlite under DATA_DIR when DATABASE_URL is unset (zero setup),
 * PostgreSQL otherwise; migrations are applied before it is handed out. Opened once, by the
 * composition root.
 */
export async function openAppDatabase(env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_MAX'>, log: Logger, onQuery?: (durationMs: number) => void): Promise<Database> {
  const d = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: path.resolve(env.DATA_DIR), poolMax: env.DATABASE_POOL_MAX, onQuery });
  log.info({ embedded: d.embedded, applied: d.appliedMigrations }, 'database ready');
  return d;
}
