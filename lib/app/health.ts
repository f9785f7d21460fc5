import 'server-only';
import { DatabaseUnavailable, type Database } from '@/lib/db';
import type { Logger } from '@/lib/log';

/**
 * Health endpoints for load balancers and Atlassian's Cloud Fortified availability check:
 * unauthenticated, answered over plain HTTP too (a load balancer probes the instance directly;
 * the body holds no secret, tenant or version), never redirected, never cached.
 *
 * - `GET /health` (liveness): 200 while the process serves requests. Restart the process when
 *   this fails; a database outage does not fail it (restarting would not help).
 * - `GET /health/ready` (readiness): 200 when the database answers within HEALTH_TIMEOUT_MS, every
 *   migration this build knows is applied, and the process is not shutting down; 503 otherwise.
 *   A hung database fails it within the deadline instead of hanging the probe; when the database
 *   is back, the next probe passes (no restart).
 */
export interface Health {
  ready(): Promise<Response>;
  /** From now on readiness fails (SIGTERM): the load balancer stops sending new requests here. */
  stopping(): void;
}

type Check = 'ok' | 'timeout' | 'unreachable' | 'pending' | 'unknown';

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: HEADERS });

/** `GET /health`: the process serves (needs nothing else, not even the composition root). */
export const live = async (): Promise<Response> => json(200, { status: 'ok' });

export function createHealth(d: { db: Pick<Database, 'probe' | 'knownMigrations'>; timeoutMs: number; log: Logger }): Health {
  let shuttingDown = false;
  let wasReady: boolean | undefined;

  return {
    stopping: () => {
      shuttingDown = true;
    },
    ready: async () => {
      let database: Check = 'ok';
      let migrations: Check = 'unknown';
      try {
        const applied = new Set(await d.db.probe(d.timeoutMs));
        migrations = d.db.knownMigrations.every((m) => applied.has(m)) ? 'ok' : 'pending';
      } catch (err) {
        database = err instanceof DatabaseUnavailable ? err.reason : 'unreachable';
      }
      const ready = !shuttingDown && database === 'ok' && migrations === 'ok';
      // Transitions only: a load balancer probes every few seconds.
      if (ready !== wasReady) {
        const fields = { database, migrations, shuttingDown };
        if (ready) d.log.info(fields, 'ready');
        else d.log.warn(fields, 'not ready');
        wasReady = ready;
      }
      return json(ready ? 200 : 503, {
        status: ready ? 'ready' : 'not-ready',
        checks: { database, migrations, shutdown: shuttingDown ? 'in-progress' : 'no' },
      });
    },
  };
}
