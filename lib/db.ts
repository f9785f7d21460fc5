import 'server-only';
import path from 'node:path';
import { PrismaClient } from './generated/prisma/client';
import { env } from './env';
import { log } from './log';
import { openDatabase, type Database } from './db/open';

/**
 * The one Prisma client. Embedded PGlite under DATA_DIR when DATABASE_URL is unset (zero
 * setup), PostgreSQL otherwise; migrations are applied before the first query is served.
 */
const globalForDb = globalThis as unknown as { __connectDb?: Promise<Database> };

export function database(): Promise<Database> {
  globalForDb.__connectDb ??= openDatabase({
    databaseUrl: env().DATABASE_URL,
    dataDir: path.resolve(env().DATA_DIR),
  }).then((d) => {
    log().info({ embedded: d.embedded, applied: d.appliedMigrations }, 'database ready');
    return d;
  });
  return globalForDb.__connectDb;
}

export async function db(): Promise<PrismaClient> {
  return (await database()).prisma;
}
