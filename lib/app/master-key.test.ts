import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MasterKeyError } from './master-key';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'mk-'));
  dirs.push(d);
  return d;
};
const quiet = { info: () => undefined };
const dev = (DATA_DIR: string, TENANT_SECRET_KEY?: string) => ({ APP_ENV: 'development' as const, DATA_DIR, TENANT_SECRET_KEY });

describe('the master key', () => {
  it('is generated once outside production: 32 bytes, mode 0600, no temporary file left, the same key on every read', () => {
    const d = dataDir();
    const first = loadMasterKey(dev(d), quiet);
    expect(first.length).toBe(32);
    const file = path.join(d, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['master.key']);
    expect(loadMasterKey(dev(d), quiet).equals(first)).toBe(true);
  });

  it.each([
    ['empty (a crash between create and write, an empty mounted secret)', ''],
    ['truncated', Buffer.alloc(16, 7).toString('base64')],
    ['not base64', 'not a key at all, not at all, not at all!!'],
    ['all zero bytes', Buffer.alloc(32).toString('base64')],
  ])('refuses to start on a key file that is %s, and never replaces it', (_what, content) => {
    const d = dataDir();
    writeFileSync(path.join(d, 'master.key'), content);
    expect(() => loadMasterKey(dev(d), quiet)).toThrow(MasterKeyError);
    expect(() => loadMasterKey(dev(d), quiet)).toThrow(MasterKeyError); // nothing cached between calls
    expect(readFileSync(path.join(d, 'master.key'), 'utf8')).toBe(content);
  });

  it('takes TENANT_SECRET_KEY when set, and production never generates one next to the data', () => {
    const d = dataDir();
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(loadMasterKey(dev(d, key), quiet).toString('base64')).toBe(key);
    expect(() => loadMasterKey({ APP_ENV: 'production', DATA_DIR: d, TENANT_SECRET_KEY: undefined }, quiet)).toThrow(/TENANT_SECRET_KEY is required in production/);
    expect(readdirSync(d)).toEqual([]);
    expect(() => loadMasterKey(dev(d, Buffer.alloc(32).toString('base64')), quiet)).toThrow(MasterKeyError);
  });
});
