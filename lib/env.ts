import { z } from 'zod';

/**
 * The one validated configuration. Parsed once, by the composition root (lib/app/root.ts) at
 * server start (`instrumentation.ts`), so a bad value stops the app immediately with a message
 * naming the variable; `next build` reads none of it.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const schema = z.object({
  /** Set by Next: `production` under `next start` (prerendered pages exist), `development` under `next dev`. */
  NODE_ENV: z.enum(['development', 'test', 'production']).optional(),
  APP_ENV: z.enum(['development', 'test', 'production']),
  APP_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  APP_KEY: z
    .string()
    .max(64)
    .regex(/^[a-zA-Z0-9\-._]+$/, 'letters, digits, "-", "." and "_" only')
    .default('com.example.connect-checklists'),
  APP_NAME: z.string().min(1).max(80).default('Issue Checklists'),
  APP_VENDOR_NAME: z.string().min(1).default('Example Vendor'),
  APP_VENDOR_URL: z.url().default('https://example.com'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** PostgreSQL connections one instance may open (instances × this must stay under the server's max_connections). */
  DATABASE_POOL_MAX: int(1, 200).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  TENANT_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  CONNECT_KEYS_CDN_URL: z.url().default('https://connect-install-keys.atlassian.com'),
  ALLOWED_PRODUCT_HOSTS: csv.default(['*.atlassian.net', '*.jira.com', '*.jira-dev.com']),
  /**
   * TLS-terminating proxies in front of the app whose X-Forwarded-Proto is trusted: `false`/0,
   * `true` (1) or a hop count. Required in production (the app speaks plain HTTP behind them).
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|[0-9])$/, 'true, false or a number of proxies (0-9)')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v)))
    .default(0),
  JWT_LEEWAY_SECONDS: int(0, 180).default(30),
  TENANT_CACHE_TTL_MS: int(0, 300_000).default(10_000),
  /** Lifetime of the session tokens issued at page load; iframes then use context JWTs. Short: a user who loses access keeps it at most this long. */
  SESSION_TOKEN_TTL_SECONDS: int(60, 900).default(300),
  LICENSE_WHEN_ABSENT: z.enum(['licensed', 'unlicensed']).optional(),
  AP_JS_URL: z.url().default('https://connect-cdn.atl-paas.net/all.js'),
  /** How long `GET /health/ready` waits for the database before answering 503 (Atlassian's checker allows 3 s). */
  HEALTH_TIMEOUT_MS: int(100, 2_500).default(2_000),
  /** Bearer token for `GET /metrics` (Prometheus); the endpoint answers 404 while unset. */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters (e.g. `openssl rand -hex 24`)').max(256).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
  /**
   * A header a trusted proxy in front of the app sets to the request's id (e.g. `x-request-id`):
   * taken when it looks like an id, else one is made. Unset: every id is made here (a client
   * cannot choose what appears in the logs).
   */
  REQUEST_ID_HEADER: z.string().regex(/^[a-z0-9-]{1,64}$/, 'a lowercase header name').optional(),
  /** After SIGTERM: how long the app keeps serving while readiness fails, so the load balancer stops sending first. */
  SHUTDOWN_DELAY_MS: int(0, 60_000).default(0),
  /** After that: how long in-flight requests may take before their connections are closed. */
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RETENTION_DAYS: int(1, 3650).default(30),
  /** Where to report a vulnerability (shown on /security): an email address or an https URL. */
  SECURITY_CONTACT: z
    .string()
    .refine((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) || /^https:\/\/\S+$/.test(v), 'an email address or an https:// URL')
    .optional(),
  PURGE_INTERVAL_MINUTES: int(0, 10_080).default(60),
  GDPR_REPORT_INTERVAL_HOURS: int(0, 720).default(24),
  PRODUCT_API_TIMEOUT_MS: int(100, 60_000).default(5_000),
  OAUTH_AUTH_SERVER_URL: z.url().default('https://oauth-2-authorization-server.services.atlassian.com'),
  /** Product REST client: calls in flight per site (more wait in a queue of 4x this, then fail fast). */
  PRODUCT_API_CONCURRENCY: int(1, 100).default(10),
  /** Consecutive failed calls (timeout, network, 5xx) that open a site's circuit, and how long it stays open. */
  PRODUCT_API_BREAKER_FAILURES: int(1, 100).default(5),
  PRODUCT_API_BREAKER_OPEN_MS: int(1_000, 600_000).default(30_000),
  /**
   * How long an iframe page's API read (panel checklist, admin overview) waits for live product
   * data (display names, license details, admin check) before answering with what the app has,
   * marked `degraded`. The lookups go on in the background and fill the caches for the next view.
   */
  PRODUCT_RENDER_BUDGET_MS: int(50, 10_000).default(800),
  /** How long the product's license answer is trusted; a revoked license ends licensed sessions within it. */
  PRODUCT_LICENSE_FRESH_SECONDS: int(0, 3_600).default(300),
  /** The port this server listens on (`next start` and `next dev` set it); the page shells are fetched from it on loopback. */
  PORT: int(1, 65_535).default(3000),
  /**
   * Background jobs (webhook deliveries, issue property writes; lib/app/jobs.ts, started by the
   * composition root). JOB_WORKER=false: this instance only records jobs and another instance
   * (or process) runs them.
   */
  JOB_WORKER: bool.default(true),
  /** Jobs one worker runs at once. Default 4 on PostgreSQL, 1 on the embedded database (one engine serves requests and jobs). */
  JOB_CONCURRENCY: int(1, 32).optional(),
  /** How often an idle worker looks for due jobs (jobs enqueued in the same process wake it at once). */
  JOB_POLL_INTERVAL_MS: int(50, 60_000).default(1_000),
  /** The longest wait between retries of a failed job (exponential from 1 s, with jitter). */
  JOB_RETRY_MAX_DELAY_MS: int(1_000, 3_600_000).default(600_000),
  /** Checklist edits within this window become one issue property write. */
  ISSUE_PROPERTY_DELAY_MS: int(0, 60_000).default(2_000),
  FORGE_APP_ID: z
    .string()
    .regex(/^(ari:cloud:ecosystem::app\/)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'the Forge app UUID or ari:cloud:ecosystem::app/<uuid>')
    .optional(),
  FORGE_JWKS_URL: z.url().default('https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json'),
  /** After a successful JWKS fetch, an unknown key id refetches Forge's JWKS at most this often. */
  FORGE_JWKS_COOLDOWN_SECONDS: int(1, 3600).default(30),
  /** The Forge environment this deployment serves (manifest label; Forge invocation tokens for another environment are refused). */
  FORGE_ENVIRONMENT: z.enum(['development', 'staging', 'production']).optional(),
});

type Raw = z.infer<typeof schema>;

export type Env = Omit<Raw, 'APP_BASE_URL' | 'LICENSE_WHEN_ABSENT'> & {
  /** The app's public base URL, without a trailing slash. */
  APP_BASE_URL: string;
  LICENSE_WHEN_ABSENT: 'licensed' | 'unlicensed';
  /** True when the tenant store runs on embedded PGlite. */
  embedded: boolean;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses a configuration source; exported for tests. Throws ConfigError naming each variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = source[key];
    input[key] = v === undefined || v === '' ? undefined : v;
  }
  input.APP_ENV ??= source.NODE_ENV === 'production' ? 'production' : source.NODE_ENV === 'test' ? 'test' : 'development';
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const raw = parsed.data;
  const production = raw.APP_ENV === 'production';
  if (!raw.APP_BASE_URL && production) {
    throw new ConfigError('Invalid configuration:\n  APP_BASE_URL: required in production (an https:// URL)');
  }
  const baseUrl = (raw.APP_BASE_URL ?? `http://localhost:${source.PORT ?? '3000'}`).replace(/\/+$/, '');
  if (production && !baseUrl.startsWith('https://')) {
    throw new ConfigError(
      `Invalid configuration:\n  APP_BASE_URL: must start with https:// in production (got ${baseUrl}); Atlassian only installs apps served over HTTPS`,
    );
  }
  if (production && raw.TRUST_PROXY < 1) {
    throw new ConfigError(
      'Invalid configuration:\n  TRUST_PROXY: required in production (the app serves plain HTTP behind a TLS-terminating proxy; set how many proxies are in front of it, usually 1)',
    );
  }
  if (production && !raw.TENANT_SECRET_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  TENANT_SECRET_KEY: required in production (32 random bytes, base64: `openssl rand -base64 32`); a key generated next to the data it protects protects nothing',
    );
  }
  if (production && raw.FORGE_APP_ID && !raw.FORGE_ENVIRONMENT) {
    throw new ConfigError(
      'Invalid configuration:\n  FORGE_ENVIRONMENT: required in production when FORGE_APP_ID is set (otherwise development and staging invocation tokens would be accepted)',
    );
  }
  return {
    ...raw,
    APP_BASE_URL: baseUrl,
    LICENSE_WHEN_ABSENT: raw.LICENSE_WHEN_ABSENT ?? (production ? 'unlicensed' : 'licensed'),
    embedded: !raw.DATABASE_URL,
  };
}

/**
 * The configuration for module graphs the composition root does not reach: server components
 * (Next bundles pages apart from route handlers), instrumentation and scripts. Parsed each call.
 */
export function readEnv(): Env {
  return parseEnv(process.env);
}
