import { parse } from 'yaml';

/**
 * Checks compose.yaml against what the deployment needs (README, Deploying): PostgreSQL with a
 * pg_isready health check and a volume; three app instances from the Dockerfile, each with the
 * health check, the database, an https base URL and a trusted proxy, started once PostgreSQL is
 * healthy; a load balancer that depends on all of them, publishes HTTPS and whose config
 * (deploy/haproxy.cfg) routes to each of them, checks readiness and sets X-Forwarded-Proto.
 * Images are pinned like the Dockerfile's (a tag, never `latest`).
 */

export interface ComposeProblem {
  service: string;
  message: string;
}

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { source?: string; target?: string })[];
  ports?: (string | number | { target?: number; published?: string | number })[];
}

const envOf = (s: Service): Record<string, string> => {
  if (Array.isArray(s.environment)) return Object.fromEntries(s.environment.map((e) => [e.split('=')[0]!, e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
};
const dependsOn = (s: Service): Record<string, string> =>
  Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, 'service_started'])) : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v.condition ?? 'service_started']));
const healthTest = (s: Service) => (s.healthcheck && !s.healthcheck.disable ? [s.healthcheck.test ?? []].flat().join(' ') : '');
const volumeSpecs = (s: Service) => (s.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source ?? ''}:${v.target ?? ''}`));
const imageRepo = (image: string) => image.replace(/:[^:/]*$/, '');

/**
 * `haproxyConfig(path)` returns the text of the load balancer's config file named by a volume
 * (relative to the compose file), or undefined when it cannot be read.
 */
export function checkCompose(text: string, haproxyConfig: (path: string) => string | undefined): ComposeProblem[] {
  const problems: ComposeProblem[] = [];
  const doc = parse(text, { merge: true }) as { services?: Record<string, Service> } | null;
  const services = doc?.services ?? {};
  const problem = (service: string, message: string) => problems.push({ service, message });

  for (const [name, s] of Object.entries(services)) {
    if (!s.image) continue;
    const tag = /:([^:/]+)$/.exec(s.image)?.[1];
    if (!tag && !s.image.includes('@sha256:')) problem(name, `image ${s.image} has no tag: pin its version`);
    if (tag === 'latest') problem(name, `image ${s.image}: pin a version instead of latest`);
  }

  const postgres = Object.entries(services).filter(([, s]) => s.image && imageRepo(s.image) === 'postgres');
  if (postgres.length !== 1) problem('(services)', `expected one PostgreSQL service, found ${postgres.length}`);
  for (const [name, s] of postgres) {
    if (!/pg_isready/.test(healthTest(s))) problem(name, 'no health check with pg_isready');
    if (!volumeSpecs(s).some((v) => v.endsWith(':/var/lib/postgresql/data') || v.includes(':/var/lib/postgresql/data:'))) problem(name, 'no volume for its data (/var/lib/postgresql/data)');
  }
  const pgName = postgres[0]?.[0];

  const apps = Object.entries(services).filter(([, s]) => s.build !== undefined);
  if (apps.length !== 3) problem('(services)', `expected three app instances built from the Dockerfile, found ${apps.length}`);
  for (const [name, s] of apps) {
    if (!/\/health\b/.test(healthTest(s))) problem(name, 'no health check calling /health');
    const env = envOf(s);
    if (!env.DATABASE_URL?.startsWith('postgres://') || (pgName && !env.DATABASE_URL.includes(`@${pgName}:`))) problem(name, `DATABASE_URL must point at the ${pgName ?? 'PostgreSQL'} service`);
    const base = env.APP_BASE_URL;
    if (!base || !(base.startsWith('https://') || /^\$\{APP_BASE_URL(:\?|\?)/.test(base))) problem(name, 'APP_BASE_URL must be an https:// URL (or required from the environment)');
    if (!['1', 'true'].includes(env.TRUST_PROXY ?? '')) problem(name, 'TRUST_PROXY must trust the one load balancer in front (1)');
    if (!env.TENANT_SECRET_KEY) problem(name, 'TENANT_SECRET_KEY must be set (required in production with PostgreSQL)');
    if (pgName && dependsOn(s)[pgName] !== 'service_healthy') problem(name, `must depend on ${pgName} being healthy`);
  }

  const lbs = Object.entries(services).filter(([, s]) => s.image && imageRepo(s.image) === 'haproxy');
  if (lbs.length !== 1) problem('(services)', `expected one HAProxy load balancer, found ${lbs.length}`);
  for (const [name, s] of lbs) {
    const deps = dependsOn(s);
    for (const [app] of apps) if (!(app in deps)) problem(name, `does not depend on ${app}`);
    if (!(s.ports ?? []).some((p) => (typeof p === 'object' ? String(p.published) === '443' : String(p).split(':').at(-2) === '443'))) problem(name, 'does not publish HTTPS (443)');
    const cfgMount = volumeSpecs(s).find((v) => v.split(':')[1]?.endsWith('haproxy.cfg'));
    const cfg = cfgMount ? haproxyConfig(cfgMount.split(':')[0]!) : undefined;
    if (cfg === undefined) {
      problem(name, 'no readable haproxy.cfg mounted');
      continue;
    }
    if (!/^\s*http-check send .*uri \/health\/ready\b/m.test(cfg)) problem(name, 'haproxy.cfg does not check /health/ready');
    if (!/^\s*http-request set-header X-Forwarded-Proto https\s*$/im.test(cfg)) problem(name, 'haproxy.cfg does not set X-Forwarded-Proto https');
    if (!/^\s*option redispatch\b/m.test(cfg)) problem(name, 'haproxy.cfg has no option redispatch');
    if (!/^\s*retries\s+[1-9]/m.test(cfg)) problem(name, 'haproxy.cfg has no retries');
    if (!/^\s*bind\s.*\bssl\b.*\bcrt\b/m.test(cfg)) problem(name, 'haproxy.cfg terminates no TLS (bind … ssl crt)');
    for (const [app] of apps) {
      if (!new RegExp(`^\\s*server\\s+\\S+\\s+.*\\b${app}:3000\\b`, 'm').test(cfg)) problem(name, `haproxy.cfg has no server for ${app} (${app}:3000)`);
    }
  }
  return problems;
}
