import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkCompose } from './compose-check';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const COMPOSE = readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8');
const HAPROXY = readFileSync(path.join(ROOT, 'deploy/haproxy.cfg'), 'utf8');

type Doc = { services: Record<string, Record<string, unknown> & { environment?: Record<string, string>; depends_on?: Record<string, unknown>; healthcheck?: unknown; volumes?: unknown[] }> };

/** The repository's compose.yaml (anchors merged), changed by `edit`, checked with `cfg` as deploy/haproxy.cfg. */
function check(edit: (doc: Doc) => void = () => {}, cfg = HAPROXY) {
  const doc = structuredClone(parse(COMPOSE, { merge: true })) as Doc;
  edit(doc);
  return checkCompose(stringify(doc), (p) => (path.normalize(p) === path.normalize('./deploy/haproxy.cfg') ? cfg : undefined));
}

describe('compose.yaml', () => {
  it('passes every check, with the haproxy.cfg it mounts', () => {
    expect(checkCompose(COMPOSE, (p) => readFileSync(path.join(ROOT, p), 'utf8'))).toEqual([]);
  });

  it('has three app instances, PostgreSQL and the load balancer', () => {
    const { services } = parse(COMPOSE, { merge: true }) as Doc;
    expect(Object.keys(services).sort()).toEqual(['app1', 'app2', 'app3', 'lb', 'postgres']);
  });

  const cases: [what: string, edit: (doc: Doc) => void, service: string, message: RegExp][] = [
    ['an instance missing', (d) => delete d.services.app3, '(services)', /three app instances/],
    ['PostgreSQL without a health check', (d) => delete d.services.postgres!.healthcheck, 'postgres', /pg_isready/],
    ['PostgreSQL without a volume', (d) => delete d.services.postgres!.volumes, 'postgres', /volume/],
    ['an instance without the health check', (d) => delete d.services.app2!.healthcheck, 'app2', /\/health/],
    ['an instance started before PostgreSQL is healthy', (d) => (d.services.app1!.depends_on = { postgres: { condition: 'service_started' } }), 'app1', /healthy/],
    ['an http base URL', (d) => (d.services.app1!.environment!.APP_BASE_URL = 'http://checklists.example.com'), 'app1', /https/],
    ['no trusted proxy', (d) => delete d.services.app3!.environment!.TRUST_PROXY, 'app3', /TRUST_PROXY/],
    ['no database', (d) => delete d.services.app2!.environment!.DATABASE_URL, 'app2', /DATABASE_URL/],
    ['a load balancer that does not wait for an instance', (d) => delete d.services.lb!.depends_on!.app2, 'lb', /app2/],
    ['an unpinned image', (d) => (d.services.postgres!.image = 'postgres'), 'postgres', /no tag/],
    ['a latest image', (d) => (d.services.lb!.image = 'haproxy:latest'), 'lb', /latest/],
  ];

  it.each(cases)('finds %s', (_what, edit, service, message) => {
    expect(check(edit)).toEqual([{ service, message: expect.stringMatching(message) }]);
  });

  const cfgCases: [what: string, from: RegExp, to: string, message: RegExp][] = [
    ['no readiness check', /uri \/health\/ready/, 'uri /', /\/health\/ready/],
    ['no X-Forwarded-Proto', /^\s*http-request set-header X-Forwarded-Proto https\n/m, '', /X-Forwarded-Proto/],
    ['no redispatch', /^\s*option redispatch.*\n/m, '', /redispatch/],
    ['no retries', /^\s*retries .*\n/m, '', /retries/],
    ['no TLS', / ssl crt "[^"]*"/, '', /TLS/],
    ['an instance without a server line', /^\s*server app3 .*\n/m, '', /app3/],
  ];

  it.each(cfgCases)('finds a haproxy.cfg with %s', (_what, from, to, message) => {
    expect(HAPROXY).toMatch(from);
    expect(check(undefined, HAPROXY.replace(from, to))).toEqual([{ service: 'lb', message: expect.stringMatching(message) }]);
  });
});
