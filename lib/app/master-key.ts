import 'server-only';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '@/lib/env';
import type { Logger } from '@/lib/log';

/**
 * The app's master key (32 bytes), from which the framework derives its keys (sealing tenant
 * secrets at rest, signing session tokens). From TENANT_SECRET_KEY; outside production,
 * generated once and kept in DATA_DIR. Read once, by the composition root.
 */
export function loadMasterKey(e: Pick<Env, 'TENANT_SECRET_KEY' | 'APP_ENV' | 'embedded' | 'DATA_DIR'>, log: Logger): Buffer {
  if (e.TENANT_SECRET_KEY) return Buffer.from(e.TENANT_SECRET_KEY, 'base64');
  if (e.APP_ENV === 'production' && !e.embedded) {
    throw new Error('TENANT_SECRET_KEY is required in production');
  }
  const dir = path.resolve(e.DATA_DIR);
  const file = path.join(dir, 'master.key');
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold 32 base64 bytes`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  log.info({ file }, 'generated a master key for the embedded database (set TENANT_SECRET_KEY in production)');
  return key;
}
