import 'server-only';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '@/lib/env';

/**
 * The app's master key (32 bytes), from which the framework derives its keys (sealing tenant
 * secrets at rest, signing session tokens). From TENANT_SECRET_KEY, which production requires
 * (lib/env.ts); outside production, generated once into DATA_DIR/master.key. A file that is
 * there but is not a 32-byte key stops the app: an empty or truncated key (a crash mid-write, an
 * empty mounted secret) would give a key anyone can compute.
 */
export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

const KEY_BYTES = 32;

function parseKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== KEY_BYTES || key.every((b) => b === 0)) {
    throw new MasterKeyError(`${where} does not hold ${KEY_BYTES} random bytes in base64; refusing to start (restore it, or remove it only if no tenant data was sealed with it)`);
  }
  return key;
}

export function loadMasterKey(e: Pick<Env, 'TENANT_SECRET_KEY' | 'APP_ENV' | 'DATA_DIR'>, log: { info(o: object, m?: string): void }): Buffer {
  if (e.TENANT_SECRET_KEY) return parseKey(e.TENANT_SECRET_KEY, 'TENANT_SECRET_KEY');
  if (e.APP_ENV === 'production') throw new MasterKeyError('TENANT_SECRET_KEY is required in production');
  const dir = path.resolve(e.DATA_DIR);
  const file = path.join(dir, 'master.key');
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) return parseKey(text, file);
  // Written whole or not at all: a temporary file (0600) renamed into place.
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, key.toString('base64'));
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  log.info({ file }, 'generated a master key for the embedded database (development only; production requires TENANT_SECRET_KEY)');
  return parseKey(readFileSync(file, 'utf8'), file);
}
