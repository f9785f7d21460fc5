import 'server-only';
import { ConfigError, env } from '@/lib/env';
import { log } from '@/lib/log';
import { database } from '@/lib/db';
import { startDataLifecycleJobs } from '@/lib/retention/scheduler';
import { startJobs } from './jobs';

export async function startServer(): Promise<void> {
  try {
    const e = env();
    if (e.APP_ENV !== 'production' && e.APP_BASE_URL.startsWith('http://')) {
      log().warn({ baseUrl: e.APP_BASE_URL }, 'development mode: serving over plain http (Atlassian Cloud requires https)');
    }
    await database();
    startDataLifecycleJobs();
    await startJobs();
    log().info({ baseUrl: e.APP_BASE_URL, env: e.APP_ENV, embedded: e.embedded }, 'app ready');
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : `startup failed: ${(err as Error).message}`;
    // Plain stderr too: the logger itself may be what is misconfigured.
    console.error(msg);
    process.exit(1);
  }
}
