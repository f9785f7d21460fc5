import type { Instance } from './instances';
import type { Load } from './load';
import type { JiraSite } from './product';
import type { Timeline } from './timeline';

/**
 * A shared-secret rotation (the product reinstalls the app with a new secret, through the load
 * balancer) and how each instance sees it: page loads signed with the new secret, and with the
 * old one, sent straight to each instance's port until the new one is accepted and the old one
 * refused. Times count from the moment the product had its `installed` acknowledged.
 */

export interface InstanceRotation {
  instance: string;
  /** ms until a request signed with the new secret was first accepted (null: never, within the probe's deadline). */
  newAcceptedMs: number | null;
  /** ms until a request signed with the old secret was first refused. */
  oldRefusedMs: number | null;
  /** Probe requests that failed without an answer (the instance was restarting). */
  probeErrors: number;
}

export interface RotationResult {
  ok: boolean;
  /** How long the reinstall took (installed + enabled, through the load balancer). */
  reinstallMs: number;
  instances: InstanceRotation[];
}

async function status(url: string): Promise<number> {
  try {
    const res = await fetch(url, { headers: { 'x-forwarded-proto': 'https' }, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function probe(jira: JiraSite, instance: Instance, secrets: { old: string; fresh: string }, since: number, deadlineMs: number): Promise<InstanceRotation> {
  const out: InstanceRotation = { instance: instance.name, newAcceptedMs: null, oldRefusedMs: null, probeErrors: 0 };
  const base = `http://127.0.0.1:${instance.port}`;
  const issueId = '7000001';
  while (Date.now() - since < deadlineMs && (out.newAcceptedMs === null || out.oldRefusedMs === null)) {
    if (out.oldRefusedMs === null) {
      const s = await status((await jira.panelPage(issueId, { secret: secrets.old, base })).request.url);
      if (s === 0) out.probeErrors++;
      else if (s === 401) out.oldRefusedMs = Math.max(0, Date.now() - since);
    }
    if (out.newAcceptedMs === null) {
      const s = await status((await jira.panelPage(issueId, { secret: secrets.fresh, base })).request.url);
      if (s === 0) out.probeErrors++;
      else if (s === 200) out.newAcceptedMs = Math.max(0, Date.now() - since);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return out;
}

/** Reinstalls with a new secret and measures each instance; `deadlineMs` bounds the probing (a hang guard). */
export async function rotateSecret(jira: JiraSite, load: Load, timeline: Timeline, instances: Instance[], deadlineMs: number): Promise<RotationResult> {
  const old = jira.secret;
  const t0 = Date.now();
  timeline.rotationStarted(t0);
  const ok = await load.lifecycle('reinstall', () => jira.emu.install('jira'));
  const acknowledged = Date.now();
  timeline.rotationEnded(acknowledged);
  const fresh = jira.secret;
  if (!ok || fresh === old) return { ok: false, reinstallMs: acknowledged - t0, instances: [] };
  const results = await Promise.all(instances.map((i) => probe(jira, i, { old, fresh }, acknowledged, deadlineMs)));
  return { ok: true, reinstallMs: acknowledged - t0, instances: results };
}
