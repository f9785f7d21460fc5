import { describe, expect, it } from 'vitest';
import { classify, type Sample, type SeenError } from './client';
import type { ControllerResult } from './controller';
import type { LbLogEntry } from './haproxy';
import { buildReport, evaluateTargets, formatReport, type ReportInput } from './report';

const noDuplicates = { resentByLoadBalancer: 0, resentByClient: 0, unexplained: 0 };
const exit = { how: 'SIGTERM' as const, code: 0, signal: null, ms: 5200 };
const scenario: ControllerResult = {
  rotations: [{ ok: true, reinstallMs: 300, instances: ['app1', 'app2', 'app3'].map((instance) => ({ instance, newAcceptedMs: 40, oldRefusedMs: 90, probeErrors: 0 })) }],
  rolling: ['app1', 'app2', 'app3'].map((instance) => ({ instance, exit, lbDownMs: 2100, startMs: 4000, lbUpMs: 1500 })),
  sigkill: { instance: 'app2', exit: { how: 'SIGKILL', code: null, signal: 'SIGKILL', ms: 3 }, lbDownMs: 1800, startMs: 4000, lbUpMs: 1500 },
};

const ok = (kind: Sample['kind'], start: number, ms: number, server = 'app1'): Sample => ({
  kind,
  start,
  end: start + ms,
  result: 'ok',
  attempts: [{ id: `${kind}-${start}`, start, end: start + ms, status: 200, result: 'ok', server }],
});

const log = (id: string, server: string, status = 200): LbLogEntry => ({ at: 1, id, server, status, termination: '----', retries: 0, redispatched: false, totalMs: 5, method: 'GET', path: '/panel/issue' });

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    settings: {},
    startedAt: 0,
    loadSeconds: 10,
    samples: [ok('panel', 0, 10), ok('panel', 1, 30), ok('write', 2, 50, 'app2')],
    seen: [],
    unexpected: [],
    lbLog: [log('a', 'app1'), log('b', 'app1'), log('c', 'app2'), log('d', 'app3')],
    missingRequestId: 0,
    writes: { attempted: 10, acknowledged: 9, acknowledgedFound: 9, missing: [], duplicateRows: 0, duplicates: noDuplicates, unacknowledgedFound: 1 },
    scenario,
    killed: 'app2',
    ttlMs: 10_000,
    timeline: [],
    instanceNames: ['app1', 'app2', 'app3'],
    ...over,
  };
}

const failed = (r: ReportInput) => evaluateTargets(r).filter((t) => !t.ok).map((t) => t.name);
const seen = (over: Partial<SeenError>): SeenError => ({ kind: 'panel', phase: 'steady', id: 'x', at: 0, status: 502, retriedOk: true, ...over });

describe('targets', () => {
  it('a clean run meets every target', () => {
    expect(failed(input())).toEqual([]);
    expect(buildReport(input()).ok).toBe(true);
  });

  it('any error a client saw during the rolling restart fails it, even when the retry succeeded', () => {
    expect(failed(input({ seen: [seen({ phase: 'rolling' })] }))).toEqual(['rolling restart: zero errors seen by clients']);
  });

  it('during the SIGKILL only errors of requests on the killed instance, each retried successfully, are allowed', () => {
    const lbLog = [log('k1', 'app2', 502), log('k2', 'app1', 502)];
    expect(failed(input({ lbLog, seen: [seen({ phase: 'sigkill', id: 'k1' })] }))).toEqual([]);
    const name = 'SIGKILL: only in-flight requests of the killed instance fail, each retried successfully';
    expect(failed(input({ lbLog, seen: [seen({ phase: 'sigkill', id: 'k1', retriedOk: false })] }))).toEqual([name]);
    expect(failed(input({ lbLog, seen: [seen({ phase: 'sigkill', id: 'k2' })] }))).toEqual([name]);
    // Not in HAProxy's log at all (a reset between client and load balancer): not attributable.
    expect(failed(input({ lbLog, seen: [seen({ phase: 'sigkill', id: 'unknown' })] }))).toEqual([name]);
  });

  it('an acknowledged write missing from the database fails; duplicates alone do not', () => {
    const writes = { attempted: 10, acknowledged: 9, acknowledgedFound: 8, missing: ['t'], duplicateRows: 0, duplicates: noDuplicates, unacknowledgedFound: 0 };
    expect(failed(input({ writes }))).toEqual(['every acknowledged write is in the database']);
    expect(failed(input({ writes: { ...writes, acknowledgedFound: 9, missing: [], duplicateRows: 3, duplicates: { ...noDuplicates, resentByLoadBalancer: 3 } } }))).toEqual([]);
  });

  it('a rotation some instance saw later than one cache TTL (or never) fails', () => {
    const late = { ...scenario, rotations: [{ ...scenario.rotations[0]!, instances: [{ instance: 'app3', newAcceptedMs: 10_001, oldRefusedMs: 5, probeErrors: 0 }] }] };
    expect(failed(input({ scenario: late }))).toEqual(['secret rotation seen by every instance within TENANT_CACHE_TTL_MS (10000 ms)']);
    const never = { ...scenario, rotations: [{ ...scenario.rotations[0]!, instances: [{ instance: 'app3', newAcceptedMs: 5, oldRefusedMs: null, probeErrors: 0 }] }] };
    expect(failed(input({ scenario: never }))).toHaveLength(1);
  });

  it('an unclean exit, an unexpected answer or an unfinished scenario fails', () => {
    const unclean = { ...scenario, rolling: [{ ...scenario.rolling[0]!, exit: { ...exit, code: 1 } }] };
    expect(failed(input({ scenario: unclean }))).toContain('every SIGTERM ends in exit code 0');
    expect(failed(input({ unexpected: [{ kind: 'write', phase: 'steady', status: 500, body: '' }] }))).toEqual(['no unexpected responses']);
    expect(failed(input({ missingRequestId: 1 }))).toEqual(['every answer from an instance carries X-Request-Id']);
    expect(failed(input({ scenario: undefined, scenarioError: 'the load balancer never took app2 back' }))).toContain('scenario completed (rotations, rolling restart, SIGKILL)');
  });
});

describe('report', () => {
  it('reports latency per kind and throughput per instance from the load balancer log', () => {
    const rep = buildReport(input());
    expect(rep.latencyMs.panel).toEqual({ count: 2, p50: 10, p99: 30, max: 30 });
    expect(rep.latencyMs.webhook!.count).toBe(0);
    expect(rep.throughput.byInstance).toEqual({ app1: { requests: 2, rps: 0.2, share: 0.5 }, app2: { requests: 1, rps: 0.1, share: 0.25 }, app3: { requests: 1, rps: 0.1, share: 0.25 } });
    expect(formatReport(rep)).toMatch(/scale test: PASSED$/);
  });
});

describe('client classification', () => {
  it('counts no answer and gateway errors as transport failures, a 401 across a rotation as its race', () => {
    expect(classify(200, 200, false)).toBe('ok');
    expect(classify(0, 200, false)).toBe('transport');
    for (const s of [502, 503, 504]) expect(classify(s, 201, false)).toBe('transport');
    expect(classify(401, 200, true)).toBe('rotation-race');
    expect(classify(401, 200, false)).toBe('unexpected');
    expect(classify(500, 200, true)).toBe('unexpected');
  });
});
