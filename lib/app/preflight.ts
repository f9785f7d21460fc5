import { ConfigError, readEnv } from '@/lib/env';
import { loadMasterKey, MasterKeyError } from './master-key';

/**
 * Run by instrumentation.ts when the server starts: a bad setting or a bad master key stops the
 * app at once with a message naming it. The services themselves are built by the composition
 * root on the first request (instrumentation runs in a module graph of its own; see lib/app/root.ts).
 */
export function preflight(): void {
  try {
    const env = readEnv();
    loadMasterKey(env, { info: (o, m) => console.log(JSON.stringify({ level: 30, msg: m, ...o })) });
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof MasterKeyError;
    // Plain stderr: the logger itself may be what is misconfigured.
    console.error(known ? err.message : `startup failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
