import type { Haproxy } from './haproxy';
import type { Instance, InstanceExit } from './instances';
import type { Load } from './load';
import type { JiraSite } from './product';
import { rotateSecret, type RotationResult } from './rotation';
import type { Timeline } from './timeline';

/**
 * What happens to the instances while the load runs, one step after another: a secret rotation,
 * the rolling restart (SIGTERM one, wait for its exit, start it, wait until it is ready and the
 * load balancer has it back up, next one), another rotation, then a SIGKILL of one instance and
 * its restart. Every wait is on an event (an exit, a state the load balancer reports), bounded
 * only by hang guards.
 */

export interface RestartRecord {
  instance: string;
  exit: InstanceExit;
  /** From the signal until the load balancer reported the instance down (null: not seen). */
  lbDownMs: number | null;
  /** From the new process's start until it answered ready. */
  startMs: number;
  /** From ready until the load balancer reported it up. */
  lbUpMs: number;
}

export interface ControllerResult {
  rotations: RotationResult[];
  rolling: RestartRecord[];
  sigkill?: RestartRecord;
}

export interface ControllerOptions {
  settleMs: number;
  rotationDeadlineMs: number;
  /** Which instance gets the SIGKILL. */
  killIndex: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls HAProxy's admin socket until `server` is in a state `want` accepts (hang guard: `timeoutMs`). */
async function waitLbState(lb: Haproxy, server: string, want: (state: string) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = (await lb.serverStates().catch(() => ({}) as Record<string, string>))[server] ?? '';
    if (want(state)) return true;
    await sleep(50);
  }
  return false;
}

const isDown = (s: string) => s.startsWith('DOWN');
const isUp = (s: string) => s === 'UP';

async function restart(lb: Haproxy, instance: Instance, how: 'SIGTERM' | 'SIGKILL'): Promise<RestartRecord> {
  const t = Date.now();
  let lbDownMs: number | null = null;
  // Watch the load balancer while the instance stops: it must take the instance out first.
  const watchDown = waitLbState(lb, instance.name, isDown, 120_000).then((seen) => {
    if (seen) lbDownMs = Date.now() - t;
  });
  const exit = how === 'SIGTERM' ? await instance.terminate() : await instance.kill();
  await watchDown;
  const started = Date.now();
  await instance.start();
  const ready = Date.now();
  if (!(await waitLbState(lb, instance.name, isUp, 120_000))) throw new Error(`the load balancer never took ${instance.name} back`);
  return { instance: instance.name, exit, lbDownMs, startMs: ready - started, lbUpMs: Date.now() - ready };
}

export async function runScenario(o: ControllerOptions, d: { lb: Haproxy; instances: Instance[]; jira: JiraSite; load: Load; timeline: Timeline }): Promise<ControllerResult> {
  const { lb, instances, jira, load, timeline } = d;
  const result: ControllerResult = { rotations: [], rolling: [] };
  const rotate = async () => {
    timeline.note('secret rotation');
    const r = await rotateSecret(jira, load, timeline, instances, o.rotationDeadlineMs);
    result.rotations.push(r);
    timeline.note(`secret rotation seen: ${r.instances.map((i) => `${i.instance} new ${i.newAcceptedMs} ms, old refused ${i.oldRefusedMs} ms`).join('; ') || 'reinstall failed'}`);
  };

  await sleep(o.settleMs);
  await rotate();
  await sleep(o.settleMs);

  timeline.enter('rolling');
  for (const instance of instances) {
    timeline.note(`SIGTERM ${instance.name}`);
    const r = await restart(lb, instance, 'SIGTERM');
    result.rolling.push(r);
    timeline.note(`${instance.name} back (exit ${r.exit.code ?? r.exit.signal} after ${r.exit.ms} ms, lb down after ${r.lbDownMs} ms, ready in ${r.startMs} ms, lb up ${r.lbUpMs} ms later)`);
  }
  timeline.enter('steady');
  await sleep(o.settleMs);
  await rotate();
  await sleep(o.settleMs);

  const victim = instances[o.killIndex]!;
  timeline.enter('sigkill');
  timeline.note(`SIGKILL ${victim.name}`);
  result.sigkill = await restart(lb, victim, 'SIGKILL');
  timeline.note(`${victim.name} back (lb down after ${result.sigkill.lbDownMs} ms, ready in ${result.sigkill.startMs} ms, lb up ${result.sigkill.lbUpMs} ms later)`);
  timeline.enter('steady');
  return result;
}
