import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import securityHeaders from '@/lib/app/security-headers.json';
import { app, type App } from '@/lib/app/root';
import { routeTable } from '@/lib/app/routes';
import { ConfigError, readEnv } from '@/lib/env';
import { sendResponse, toRequest } from './bridge';
import { applyBuildConfig } from './build-config';
import { extraRoutes } from './extra-routes';
import { createRouter } from './router';

/**
 * The app server (`npm start`): Next, plus the app's own routes answered before Next's request
 * pipeline. Every route of lib/app/routes.ts (descriptor, lifecycle, iframe pages, the JSON API,
 * Forge) runs here on the one composition root; Next serves the rest (static assets, the
 * prerendered page shells, the policy pages). `next start` keeps working without it, slower.
 * Why: Next's pipeline costs more than the whole Connect check on these routes (issue 13).
 */
// Like `next start`: the app's folder is the working directory.
const ROOT = process.cwd();
/** How long in-flight requests may take to finish after SIGTERM before their connections are closed. */
const SHUTDOWN_TIMEOUT_MS = Number(process.env.SHUTDOWN_TIMEOUT_MS) || 10_000;

/** Set once the server listens; a signal before that (still starting) just ends the process. */
let stopServer: ((signal: NodeJS.Signals) => void) | undefined;
const onSignal = (signal: NodeJS.Signals) => (stopServer ? stopServer(signal) : process.exit(0));

async function main(): Promise<void> {
  // First, so that a signal during a slow start (the embedded database opening) is never lost.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let env;
  try {
    env = readEnv();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `startup failed: ${(err as Error).message}`);
    process.exit(1);
  }
  const port = env.PORT;
  const hostname = process.env.HOSTNAME ?? '0.0.0.0';
  // Next's own route handlers must never build a second composition root in this process.
  process.env.CONNECT_APP_SERVER = '1';

  // The build's own config, beside this bundle (<distDir>/ in the repo, the standalone artifact's root).
  applyBuildConfig(path.dirname(fileURLToPath(import.meta.url)));
  const nextApp = next({ dev: false, dir: ROOT, hostname, port });
  await nextApp.prepare();
  const handleNext = nextApp.getRequestHandler();
  const a: App = await app({ owner: true });
  const router = createRouter([...routeTable, ...extraRoutes]);
  const origin = new URL(env.APP_BASE_URL).origin;
  const headers = securityHeaders as Record<string, string>;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const m = router.match(req.method ?? 'GET', pathname);
    if (!m) {
      void handleNext(req, res);
      return;
    }
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    void (async () => {
      try {
        const head = req.method === 'HEAD';
        const bridged = toRequest(req, origin, ac.signal, head ? 'GET' : undefined);
        try {
          const response = await m.handler(bridged.request, { params: Promise.resolve(m.params) });
          await sendResponse(res, response, headers, { head });
        } finally {
          bridged.finish();
        }
      } catch (err) {
        // The client went away mid-answer (a closed tab, a load generator stopping): nothing to answer.
        if (ac.signal.aborted) {
          a.log.debug({ path: pathname }, 'app server: client closed the connection');
          res.destroy();
          return;
        }
        a.log.error({ err: (err as Error).message, path: pathname }, 'app server: route failed');
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
          res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal error' } }));
        } else res.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, hostname, () => a.log.info({ port, hostname }, 'app server listening'));

  // SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (at most
  // SHUTDOWN_TIMEOUT_MS, then the rest are closed), stop the background work at a safe point and
  // close the database, then exit. A second signal exits at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    a.log.info({ signal }, 'app server stopping');
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_TIMEOUT_MS);
    forced.unref();
    // Whatever hangs in the steps below (a database that does not answer), the process ends.
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS + 10_000).unref();
    void drained
      .then(() => a.shutdown())
      .then(() => nextApp.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          a.log.error({ err: (err as Error).message }, 'app server: unclean stop');
          process.exit(1);
        },
      );
  };
  stopServer = stop;
}

void main().catch((err: unknown) => {
  console.error(`app server failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
