import 'server-only';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env } from '@/lib/env';
import { log } from '@/lib/log';

/**
 * The app's master key (32 bytes): seals tenant secrets at rest and derives the session-token
 * key. From TENANT_SECRET_KEY; outside production, generated once and kept in DATA_DIR.
 */
let cached: Buffer | undefined;

export function masterKey(): Buffer {
  if (cached) return cached;
  const e = env();
  if (e.TENANT_SECRET_KEY) {
    cached = Buffer.from(e.TENANT_SECRET_KEY, 'base64');
    return cached;
  }
  if (e.APP_ENV === 'production' && !e.embedded) {
    throw new Error('TENANT_SECRET_KEY is required in production');
  }
  const dir = path.resolve(e.DATA_DIR);
  const file = path.join(dir, 'master.key');
  try {
    cached = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (cached.length !== 32) throw new Error(`${file} does not hold 32 base64 bytes`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true });
    cached = randomBytes(32);
    writeFileSync(file, cached.toString('base64'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    log().info({ file }, 'generated a master key for the embedded database (set TENANT_SECRET_KEY in production)');
  }
  return cached;
}
