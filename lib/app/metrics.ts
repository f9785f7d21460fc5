import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProductObserver } from 'atlassian-connect-next';

/**
 * The app's Prometheus metrics (prom-client: the reference client, no exporter process, text
 * format Prometheus and Atlassian-side tooling scrape as they are). One registry per app
 * instance; `GET /metrics` serves it behind a bearer token (METRICS_TOKEN), and is off without one.
 *
 * Cardinality is bounded by construction: routes are the app's route patterns (never a raw
 * path), lifecycle events and page modules come from fixed lists, product failures are error
 * kinds, rate-limit reasons are Atlassian's short tokens, and no metric has a per-site label
 * (breakers are counted by state).
 */
export interface AppMetrics {
  readonly registry: Registry;
  /** One request the app server answered itself, by route pattern. */
  request(e: { method: string; route: string; status: number; seconds: number }): void;
  lifecycle(event: string, status: number): void;
  webhook(status: number): void;
  pageLoad(module: string, status: number): void;
  readonly product: ProductObserver;
  dbQuery(durationMs: number): void;
  job(queue: string, outcome: 'completed' | 'retrying' | 'dead' | 'lost'): void;
  /** A job's product write waits for a rate limit's reset instead of failing (`limit`: burst, issue, site, app). */
  rateLimitDeferral(queue: string, limit: string): void;
  /** Sources read at scrape time. */
  collectFrom(sources: MetricSources): void;
}

export interface MetricSources {
  circuits: () => { open: number; half_open: number };
  pool: () => { total: number; idle: number; waiting: number } | null;
  queue: () => Promise<{ pending: number; due: number; running: number; dead: number; oldestPendingAgeMs: number | null }>;
}

const LIFECYCLE_EVENTS = new Set(['installed', 'uninstalled', 'enabled', 'disabled']);
const LIMITS = new Set(['burst', 'issue', 'site', 'app']);
const outcome = (status: number) => (status < 300 ? 'success' : status < 500 ? 'rejected' : 'error');
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({ name: 'app_http_requests_total', help: 'Requests answered by the app server, by route pattern, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'app_http_request_duration_seconds', help: 'Time to answer, by route pattern and method', labelNames: ['route', 'method'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const lifecycle = new Counter({ name: 'connect_lifecycle_callbacks_total', help: 'Lifecycle callbacks by event and outcome (success = 2xx, the only answers Atlassian counts as installed)', labelNames: ['event', 'outcome', 'status'], registers: [registry] });
  const webhooks = new Counter({ name: 'connect_webhook_deliveries_total', help: 'Webhook deliveries received by outcome', labelNames: ['outcome', 'status'], registers: [registry] });
  const pages = new Counter({ name: 'connect_page_loads_total', help: 'Iframe page loads by module and outcome', labelNames: ['module', 'outcome'], registers: [registry] });
  const productCalls = new Counter({ name: 'connect_product_calls_total', help: 'HTTP attempts to the product by method and status (or failure kind)', labelNames: ['method', 'status'], registers: [registry] });
  const productLatency = new Histogram({ name: 'connect_product_call_duration_seconds', help: 'Product call attempt duration', buckets: LATENCY_BUCKETS, registers: [registry] });
  const waits = new Counter({ name: 'connect_product_retry_waits_total', help: 'Waits before a product retry, by rate-limit reason (RateLimit-Reason, or status-429/503)', labelNames: ['reason'], registers: [registry] });
  const waitSeconds = new Counter({ name: 'connect_product_retry_wait_seconds_total', help: 'Time spent waiting before product retries, by reason', labelNames: ['reason'], registers: [registry] });
  const nearLimit = new Counter({ name: 'connect_product_near_limit_total', help: 'Answers with X-RateLimit-NearLimit: true (the client then eases off)', labelNames: ['method'], registers: [registry] });
  const paced = new Counter({ name: 'connect_product_paced_total', help: 'Product calls held back by pacing because a rate budget was spent, by limit (burst, issue, site, app) and action (waited, refused: not sent)', labelNames: ['limit', 'action'], registers: [registry] });
  const queries = new Histogram({ name: 'app_db_query_duration_seconds', help: 'Database query duration (Prisma)', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const jobs = new Counter({ name: 'app_jobs_total', help: 'Job runs by queue and outcome', labelNames: ['queue', 'outcome'], registers: [registry] });
  const deferrals = new Counter({ name: 'app_jobs_rate_limit_deferrals_total', help: 'Job runs deferred to a product rate limit\'s reset (not failures), by queue and limit (burst, issue, site, app)', labelNames: ['queue', 'limit'], registers: [registry] });

  let sources: MetricSources | undefined;
  new Gauge({
    name: 'connect_product_circuits',
    help: 'Sites whose product circuit is open or half open (no per-site label)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const c = sources?.circuits();
      if (!c) return;
      this.set({ state: 'open' }, c.open);
      this.set({ state: 'half_open' }, c.half_open);
    },
  });
  new Gauge({
    name: 'app_db_pool_connections',
    help: 'PostgreSQL pool connections by state (absent for the embedded database)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const p = sources?.pool();
      if (!p) return;
      this.set({ state: 'total' }, p.total);
      this.set({ state: 'idle' }, p.idle);
      this.set({ state: 'waiting' }, p.waiting);
    },
  });
  // One read of the queue per scrape, shared by its two gauges (prom-client collects them concurrently).
  let reading: Promise<Awaited<ReturnType<MetricSources['queue']>> | null> | undefined;
  const readQueue = () =>
    (reading ??= (sources?.queue() ?? Promise.resolve(null))
      // The database did not answer: the queue gauges keep their last values; readiness reports the outage.
      .catch(() => null)
      .finally(() => setImmediate(() => (reading = undefined))));
  new Gauge({
    name: 'app_job_queue_jobs',
    help: 'Jobs in the queue by status (pending, due, running, dead)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const s = await readQueue();
      if (!s) return;
      this.set({ status: 'pending' }, s.pending);
      this.set({ status: 'due' }, s.due);
      this.set({ status: 'running' }, s.running);
      this.set({ status: 'dead' }, s.dead);
    },
  });
  new Gauge({
    name: 'app_job_queue_oldest_pending_age_seconds',
    help: 'Age of the oldest waiting job (0 when none waits)',
    registers: [registry],
    async collect() {
      const s = await readQueue();
      if (s) this.set((s.oldestPendingAgeMs ?? 0) / 1000);
    },
  });

  return {
    registry,
    request: ({ method, route, status, seconds }) => {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
    },
    lifecycle: (event, status) => lifecycle.inc({ event: LIFECYCLE_EVENTS.has(event) ? event : 'other', outcome: outcome(status), status: String(status) }),
    webhook: (status) => webhooks.inc({ outcome: outcome(status), status: String(status) }),
    pageLoad: (module, status) => pages.inc({ module, outcome: outcome(status) }),
    product: {
      attempt: (e) => {
        productCalls.inc({ method: e.method, status: e.status !== undefined ? String(e.status) : (e.error ?? 'error') });
        productLatency.observe(e.durationMs / 1000);
      },
      retryWait: (e) => {
        waits.inc({ reason: e.reason });
        waitSeconds.inc({ reason: e.reason }, e.delayMs / 1000);
      },
      nearLimit: (e) => nearLimit.inc({ method: e.method }),
      paced: (e) => paced.inc({ limit: e.limit, action: e.refused ? 'refused' : 'waited' }),
    },
    dbQuery: (ms) => queries.observe(ms / 1000),
    job: (queue, o) => jobs.inc({ queue, outcome: o }),
    rateLimitDeferral: (queue, limit) => deferrals.inc({ queue, limit: LIMITS.has(limit) ? limit : 'other' }),
    collectFrom: (s) => {
      sources = s;
    },
  };
}

/**
 * Whether `authorization` carries the metrics token (`Bearer <token>`), compared in constant time.
 */
export function metricsAuthorized(authorization: string | null, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
