import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * Two processes opening one PGlite directory get no error and silently diverge, so the
 * embedded database is owned by exactly one process: a lock file holding its pid.
 */
export class EmbeddedDbLockedError extends Error {
  override name = 'EmbeddedDbLockedError';
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/** Whether a process with this pid exists (EPERM: it does, and belongs to someone else). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws naming the process that holds it. Returns a release function. */
export function acquireEmbeddedLock(dir: string, command = process.argv.slice(1).join(' ')): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'owner.lock');
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const held = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
          if (held.pid === process.pid) rmSync(file, { force: true });
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let held: LockInfo | undefined;
      try {
        held = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        held = undefined;
      }
      if (held && held.host === hostname() && held.pid !== process.pid && alive(held.pid)) {
        throw new EmbeddedDbLockedError(
          `The embedded database in ${dir} is in use by process ${held.pid} (${held.command}, since ${held.startedAt}). ` +
            'Stop that process first, or set DATABASE_URL to use PostgreSQL, which many processes can share.',
        );
      }
      if (held && held.host !== hostname()) {
        throw new EmbeddedDbLockedError(
          `The embedded database in ${dir} is locked by process ${held.pid} on host ${held.host}. ` +
            'The embedded database cannot be shared between machines; use PostgreSQL (DATABASE_URL).',
        );
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new EmbeddedDbLockedError(`Could not take the embedded database lock in ${dir}`);
}
