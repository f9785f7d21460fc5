import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import securityHeaders from '@/lib/app/security-headers.json';
import { app, type App } from '@/lib/app/root';
import { routeTable, type RouteEntry } from '@/lib/app/routes';
import { ConfigError, readEnv } from '@/lib/env';
import { inRequest } from '@/lib/log';
import { sendResponse, toRequest } from './bridge';
import { applyBuildConfig } from './build-config';
import { extraRoutes } from './extra-routes';
import { requestId } from './request-id';
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
  const router = createRouter<RouteEntry>([...routeTable, ...extraRoutes].map((r) => ({ ...r, handler: r })));
  const origin = new URL(env.APP_BASE_URL).origin;
  const headers = securityHeaders as Record<string, string>;
  const { metrics, log } = a;

  /** A route's answer: the metrics by route pattern and kind, and one access log line (never the query: it carries JWTs). */
  const answered = (entry: RouteEntry, params: Record<string, string>, method: string, status: number, started: number) => {
    const seconds = (performance.now() - started) / 1000;
    metrics.request({ method, route: entry.path, status, seconds });
    if (entry.counts === 'lifecycle') metrics.lifecycle(params.event ?? '', status);
    else if (entry.counts === 'webhook') metrics.webhook(status);
    else if (entry.counts) metrics.pageLoad(entry.counts.page, status);
    log.info({ method, route: entry.path, status, ms: Math.round(seconds * 10_000) / 10 }, 'request');
  };

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const m = router.match(method, pathname);
    if (!m) {
      res.once('finish', () => log.debug({ method, path: pathname, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request (next)'));
      void handleNext(req, res);
      return;
    }
    const entry = m.handler;
    const head = method === 'HEAD';
    const bridged = toRequest(req, origin, head ? 'GET' : undefined);
    // The client went away before the answer was complete: the handler's request signal aborts.
    // (Not after a complete answer: an abort builds a DOMException, a few % of a page load.)
    res.once('close', () => {
      if (!res.writableFinished) bridged.abort();
    });
    void (async () => {
      try {
        try {
          const response = await entry.handler(bridged.request, { params: Promise.resolve(m.params) });
          await sendResponse(res, response, headers, { head });
          answered(entry, m.params, method, response.status, started);
        } finally {
          bridged.finish();
        }
      } catch (err) {
        // The client went away mid-answer (a closed tab, a load generator stopping): nothing to answer.
        if (bridged.aborted) {
          log.debug({ route: entry.path }, 'app server: client closed the connection');
          res.destroy();
          return;
        }
        log.error({ err: (err as Error).message, route: entry.path }, 'app server: route failed');
        answered(entry, m.params, method, 500, started);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
          res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Internal error' } }));
        } else res.destroy();
      }
    })();
  };

  // Every request gets an id (a trusted proxy's, or a new one): answered in X-Request-Id and on
  // every log line written while it is handled, by the app or by the framework.
  let stopping = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reqId = requestId(req.headers, env.REQUEST_ID_HEADER);
    res.setHeader('x-request-id', reqId);
    // Stopping: each connection closes after its answer, so clients reconnect (through the load balancer, elsewhere).
    if (stopping) res.setHeader('connection', 'close');
    inRequest(reqId, () => serve(req, res));
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, hostname, () => a.log.info({ port, hostname }, 'app server listening'));

  // SIGTERM/SIGINT: readiness fails at once; the server keeps serving for SHUTDOWN_DELAY_MS (so
  // the load balancer, probing /health/ready, stops sending here first), then stops accepting
  // connections and lets in-flight requests finish (at most SHUTDOWN_TIMEOUT_MS, then the rest
  // are closed), stops the background work at a safe point and closes the database, then exits.
  // A second signal exits at once.
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    a.health.stopping();
    log.info({ signal, delayMs: env.SHUTDOWN_DELAY_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'app server stopping');
    // Whatever hangs in the steps below (a database that does not answer), the process ends.
    setTimeout(() => process.exit(1), env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_TIMEOUT_MS + 10_000).unref();
    const delayed = new Promise<void>((resolve) => setTimeout(resolve, env.SHUTDOWN_DELAY_MS));
    const drained = delayed.then(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), env.SHUTDOWN_TIMEOUT_MS).unref();
        }),
    );
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
