import type { Kind, Sample, SeenError } from './client';
import type { ControllerResult } from './controller';
import type { LbLogEntry } from './haproxy';
import { countBy, summarize, type LatencySummary } from './stats';
import type { Phase } from './timeline';

/**
 * The run's report and its targets (pure: unit-tested). Targets are about correctness only —
 * errors seen by clients per phase, writes kept, the secret rotation seen by every instance within
 * one cache TTL, clean exits; latency and throughput are reported, never asserted.
 */

export interface WriteCheck {
  attempted: number;
  acknowledged: number;
  /** Acknowledged writes found in the database. */
  acknowledgedFound: number;
  /** Texts of acknowledged writes not found (first few). */
  missing: string[];
  /** Writes stored more than once (extra rows counted). */
  duplicateRows: number;
  /** The extra rows by who sent the write again. */
  duplicates: { resentByLoadBalancer: number; resentByClient: number; unexplained: number };
  /** Not acknowledged to the client, yet stored. */
  unacknowledgedFound: number;
}

export interface ReportInput {
  settings: Record<string, unknown>;
  /** When the load started (epoch ms). */
  startedAt: number;
  loadSeconds: number;
  samples: Sample[];
  seen: SeenError[];
  unexpected: { kind: Kind; phase: Phase; status: number; body: string }[];
  lbLog: LbLogEntry[];
  /** Answers from an instance without X-Request-Id. */
  missingRequestId: number;
  writes: WriteCheck;
  scenario?: ControllerResult;
  scenarioError?: string;
  killed?: string;
  ttlMs: number;
  timeline: { atS: number; what: string }[];
  instanceNames: string[];
}

export interface Target {
  name: string;
  ok: boolean;
  detail: string;
}

const PHASES: Phase[] = ['steady', 'rolling', 'sigkill'];
const KINDS: Kind[] = ['panel', 'write', 'webhook', 'lifecycle'];

/** Which target each part of the run must meet (pure). */
export function evaluateTargets(r: ReportInput): Target[] {
  const seenIn = (p: Phase) => r.seen.filter((e) => e.phase === p);
  const logById = new Map(r.lbLog.map((e) => [e.id, e]));
  const targets: Target[] = [];

  const completed = !r.scenarioError && r.scenario !== undefined && r.scenario.rolling.length === r.instanceNames.length && r.scenario.sigkill !== undefined;
  targets.push({ name: 'scenario completed (rotations, rolling restart, SIGKILL)', ok: completed, detail: r.scenarioError ?? (completed ? 'all steps ran' : 'steps missing') });

  const rolling = seenIn('rolling');
  targets.push({ name: 'rolling restart: zero errors seen by clients', ok: rolling.length === 0, detail: `${rolling.length} seen` });

  const steady = seenIn('steady');
  targets.push({ name: 'steady load: zero errors seen by clients', ok: steady.length === 0, detail: `${steady.length} seen` });

  const killed = seenIn('sigkill');
  const stray = killed.filter((e) => !e.retriedOk || (e.kind !== 'lifecycle' && logById.get(e.id)?.server !== r.killed));
  targets.push({
    name: 'SIGKILL: only in-flight requests of the killed instance fail, each retried successfully',
    ok: stray.length === 0,
    detail: `${killed.length} seen, ${stray.length} not on ${r.killed ?? '?'} or not recovered by the retry`,
  });

  targets.push({ name: 'no unexpected responses', ok: r.unexpected.length === 0, detail: `${r.unexpected.length} (${JSON.stringify(countBy(r.unexpected, (u) => `${u.kind} ${u.status}`))})` });

  const w = r.writes;
  targets.push({ name: 'every acknowledged write is in the database', ok: w.acknowledgedFound === w.acknowledged && w.acknowledged > 0, detail: `${w.acknowledgedFound}/${w.acknowledged} found` });

  const rotations = r.scenario?.rotations ?? [];
  const late = rotations.flatMap((rot) =>
    rot.ok
      ? rot.instances.filter((i) => i.newAcceptedMs === null || i.oldRefusedMs === null || i.newAcceptedMs > r.ttlMs || i.oldRefusedMs > r.ttlMs).map((i) => i.instance)
      : ['reinstall failed'],
  );
  targets.push({
    name: `secret rotation seen by every instance within TENANT_CACHE_TTL_MS (${r.ttlMs} ms)`,
    ok: rotations.length > 0 && late.length === 0,
    detail: `${rotations.length} rotations${late.length ? `; late or unseen: ${late.join(', ')}` : ''}`,
  });

  targets.push({ name: 'every answer from an instance carries X-Request-Id', ok: r.missingRequestId === 0, detail: `${r.missingRequestId} without` });

  const exits = r.scenario?.rolling.map((x) => x.exit) ?? [];
  const unclean = exits.filter((e) => e.code !== 0);
  targets.push({ name: 'every SIGTERM ends in exit code 0', ok: exits.length > 0 && unclean.length === 0, detail: `${exits.length - unclean.length}/${exits.length} exited 0` });
  return targets;
}

export interface Report {
  ok: boolean;
  targets: Target[];
  settings: Record<string, unknown>;
  requests: {
    total: number;
    byKind: Record<string, number>;
    attempts: number;
    /** Attempts refused (401) because they were signed across a secret rotation, re-signed and sent again, by kind. */
    rotationRaces: Record<string, number>;
    /** Requests still refused when re-sent after the race's pause. */
    rotationRacesUnrecovered: number;
    /** The first of them: which request, the error, and seconds after the load started. */
    rotationRaceDetails: { id: string; atS: number; error?: string }[];
    loadBalancer: { logged: number; retried: number; redispatched: number; byStatus: Record<string, number> };
  };
  /** Per phase; each detail with what HAProxy logged for it (no entry: it never reached HAProxy's log). */
  errorsSeenByClients: Record<Phase, number> & { details: (SeenError & { lb?: Pick<LbLogEntry, 'server' | 'status' | 'termination' | 'retries' | 'totalMs'> })[] };
  unexpected: ReportInput['unexpected'];
  writes: WriteCheck;
  rotation: ControllerResult['rotations'];
  restarts: { rolling: ControllerResult['rolling']; sigkill?: ControllerResult['sigkill'] };
  latencyMs: Record<string, LatencySummary>;
  throughput: { seconds: number; totalRps: number; byInstance: Record<string, { requests: number; rps: number; share: number }> };
  timeline: ReportInput['timeline'];
}

export function buildReport(r: ReportInput): Report {
  const targets = evaluateTargets(r);
  const logById = new Map(r.lbLog.map((e) => [e.id, e]));
  const details = r.seen.slice(0, 50).map((e) => {
    const l = logById.get(e.id);
    return l ? { ...e, lb: { server: l.server, status: l.status, termination: l.termination, retries: l.retries, totalMs: l.totalMs } } : e;
  });
  const latencyMs = Object.fromEntries(KINDS.map((k) => [k, summarize(r.samples.filter((s) => s.kind === k && s.result === 'ok').map((s) => s.end - s.start))]));
  const served = r.lbLog.filter((e) => r.instanceNames.includes(e.server));
  const seconds = Math.max(1, r.loadSeconds);
  const byInstance = Object.fromEntries(
    r.instanceNames.map((name) => {
      const n = served.filter((e) => e.server === name).length;
      return [name, { requests: n, rps: Math.round((n / seconds) * 10) / 10, share: served.length ? Math.round((n / served.length) * 1000) / 1000 : 0 }];
    }),
  );
  return {
    ok: targets.every((t) => t.ok),
    targets,
    settings: r.settings,
    requests: {
      total: r.samples.length,
      byKind: countBy(r.samples, (s) => s.kind),
      attempts: r.samples.reduce((n, s) => n + s.attempts.length, 0),
      rotationRaces: countBy(
        r.samples.flatMap((s) => s.attempts.filter((a) => a.result === 'rotation-race').map(() => s.kind)),
        (k) => k,
      ),
      rotationRacesUnrecovered: r.samples.filter((s) => s.result === 'rotation-race').length,
      rotationRaceDetails: r.samples
        .flatMap((s) => s.attempts.filter((a) => a.result === 'rotation-race'))
        .slice(0, 50)
        .map((a) => ({ id: a.id, atS: Math.round((a.end - r.startedAt) / 100) / 10, ...(a.error ? { error: a.error } : {}) })),
      loadBalancer: {
        logged: r.lbLog.length,
        retried: r.lbLog.filter((e) => e.retries > 0).length,
        redispatched: r.lbLog.filter((e) => e.redispatched).length,
        byStatus: countBy(r.lbLog, (e) => String(e.status)),
      },
    },
    errorsSeenByClients: { ...(Object.fromEntries(PHASES.map((p) => [p, r.seen.filter((e) => e.phase === p).length])) as Record<Phase, number>), details },
    unexpected: r.unexpected.slice(0, 50),
    writes: r.writes,
    rotation: r.scenario?.rotations ?? [],
    restarts: { rolling: r.scenario?.rolling ?? [], sigkill: r.scenario?.sigkill },
    latencyMs,
    throughput: { seconds, totalRps: Math.round((served.length / seconds) * 10) / 10, byInstance },
    timeline: r.timeline,
  };
}

/** The report as a person reads it at the end of the run. */
export function formatReport(rep: Report): string {
  const lines: string[] = [];
  const q = rep.requests;
  lines.push(`requests: ${q.total} (${Object.entries(q.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}), ${q.attempts} attempts; re-signed after a rotation race: ${JSON.stringify(q.rotationRaces)} (${q.rotationRacesUnrecovered} refused again)`);
  lines.push(`load balancer: ${q.loadBalancer.logged} logged, ${q.loadBalancer.retried} retried by HAProxy (${q.loadBalancer.redispatched} redispatched), statuses ${JSON.stringify(q.loadBalancer.byStatus)}`);
  const e = rep.errorsSeenByClients;
  lines.push(`errors seen by clients: steady ${e.steady}, rolling restart ${e.rolling}, SIGKILL ${e.sigkill}`);
  for (const d of e.details.slice(0, 10)) {
    const lb = d.lb ? `haproxy: ${d.lb.server} ${d.lb.status} ${d.lb.termination} after ${d.lb.totalMs} ms` : 'not in haproxy log';
    lines.push(`  ${d.phase} ${d.kind} ${d.id}: ${d.status || d.error} (${lb}; retry ${d.retriedOk ? 'ok' : 'failed'})`);
  }
  const w = rep.writes;
  lines.push(`writes: ${w.attempted} sent, ${w.acknowledged} acknowledged, ${w.acknowledgedFound} of those in the database, ${w.duplicateRows} duplicate rows (${JSON.stringify(w.duplicates)}), ${w.unacknowledgedFound} stored without acknowledgement`);
  rep.rotation.forEach((r, i) =>
    lines.push(`rotation ${i + 1}: reinstall ${r.reinstallMs} ms; ${r.instances.map((x) => `${x.instance} new accepted ${x.newAcceptedMs} ms / old refused ${x.oldRefusedMs} ms`).join('; ')}`),
  );
  for (const r of rep.restarts.rolling) lines.push(`SIGTERM ${r.instance}: exit ${r.exit.code ?? r.exit.signal} after ${r.exit.ms} ms (lb down after ${r.lbDownMs} ms), ready ${r.startMs} ms, lb up +${r.lbUpMs} ms`);
  const k = rep.restarts.sigkill;
  if (k) lines.push(`SIGKILL ${k.instance}: lb down after ${k.lbDownMs} ms, ready ${k.startMs} ms, lb up +${k.lbUpMs} ms`);
  for (const [kind, l] of Object.entries(rep.latencyMs)) lines.push(`latency ${kind}: n=${l.count} p50 ${l.p50 ?? '-'} ms, p99 ${l.p99 ?? '-'} ms, max ${l.max ?? '-'} ms`);
  const t = rep.throughput;
  lines.push(`throughput over ${t.seconds} s: ${t.totalRps} req/s; ${Object.entries(t.byInstance).map(([n, x]) => `${n} ${x.requests} (${x.rps}/s, ${Math.round(x.share * 100)}%)`).join(', ')}`);
  lines.push('targets:');
  for (const x of rep.targets) lines.push(`  ${x.ok ? 'PASS' : 'FAIL'} ${x.name}: ${x.detail}`);
  lines.push(rep.ok ? 'scale test: PASSED' : 'scale test: FAILED');
  return lines.join('\n');
}
