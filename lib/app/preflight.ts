import { ConfigError, readEnv } from '@/lib/env';

/**
 * Run by instrumentation.ts when the server starts: a bad setting stops the app at once with a
 * message naming the variable. The services themselves are built by the composition root on
 * the first request (instrumentation runs in a module graph of its own; see lib/app/root.ts).
 */
export function preflight(): void {
  try {
    readEnv();
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : `startup failed: ${(err as Error).message}`;
    // Plain stderr: the logger itself may be what is misconfigured.
    console.error(msg);
    process.exit(1);
  }
}
