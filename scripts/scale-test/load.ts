import { RACE_PAUSE_MS, type Attempt, type LoadClient } from './client';
import { checklistWrite, sessionTokenOf, type JiraSite } from './product';
import type { LifecycleOutcome } from '../../emulator/lib/lifecycle';
import type { Timeline } from './timeline';

/**
 * The mixed load: `concurrency` workers, each looping over panel loads, checklist writes (with
 * the session token of the panel it opened, a unique text per write, at most `writesPerIssue`
 * items per issue) and webhooks, until told to stop; beside them, `enabled` lifecycle events
 * every few seconds. Secret rotations (reinstalls) come from the run's controller through
 * `lifecycle()`.
 */

export interface LoadOptions {
  baseUrl: string;
  concurrency: number;
  /** A prefix unique to this run: every write's text starts with it. */
  runId: string;
  /** Share of panel loads and webhooks (the rest are writes). */
  mix: { panel: number; webhook: number };
  writesPerIssue: number;
  lifecycleEveryMs: number;
  /** How long after a rotation a refused `enabled` still counts as its race (the tenant cache TTL). */
  rotationGraceMs: number;
}

export interface WriteRecord {
  text: string;
  issueId: string;
  acknowledged: boolean;
  /** The ids of the client's attempts (one, or two when it retried), as HAProxy logged them. */
  requestIds: string[];
}

export class Load {
  readonly writes: WriteRecord[] = [];
  private stopping = false;
  private running: Promise<void>[] = [];
  private lifecycleLoop?: Promise<void>;
  private lifecycleRuns = 0;

  constructor(
    private readonly o: LoadOptions,
    private readonly jira: JiraSite,
    private readonly client: LoadClient,
    private readonly timeline: Timeline,
  ) {}

  start(): void {
    this.running = Array.from({ length: this.o.concurrency }, (_, w) => this.worker(w));
    this.lifecycleLoop = this.lifecycleTicks();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running, this.lifecycleLoop]);
  }

  private async worker(w: number): Promise<void> {
    let issue = 0;
    let session: { issueId: string; token: string; writes: number } | undefined;
    let n = 0;
    let written = 0;
    // Issue ids of this worker: 8<worker, 2 digits><issue, 4 digits>, never the emulator's own issues.
    const issueId = (i: number) => `8${String(w).padStart(2, '0')}${String(i).padStart(4, '0')}`;
    while (!this.stopping) {
      const r = Math.random();
      if (r < this.o.mix.panel) {
        await this.panel(issueId(issue + 5000 + (n++ % 100)));
      } else if (r < this.o.mix.panel + this.o.mix.webhook) {
        const move = Math.random() < 0.5;
        const identifier = crypto.randomUUID();
        const target = issueId(9000 + (n++ % 100));
        let attempt = 0;
        await this.client.send('webhook', 204, async () => {
          const s = await this.jira.webhook(target, move, identifier);
          if (attempt++ > 0) s.request.headers['x-atlassian-webhook-retry'] = '1';
          return s;
        });
      } else {
        if (!session || session.writes >= this.o.writesPerIssue) {
          const id = issueId(++issue);
          const token = await this.panel(id);
          session = token ? { issueId: id, token, writes: 0 } : undefined;
          if (!session) continue;
        }
        const s = session;
        s.writes++;
        const text = `${this.o.runId} w${w} #${++written}`;
        const record: WriteRecord = { text, issueId: s.issueId, acknowledged: false, requestIds: [] };
        this.writes.push(record);
        const { sample } = await this.client.send('write', 201, async () => ({ request: checklistWrite(this.o.baseUrl, s.issueId, s.token, text), secret: this.jira.secret }));
        record.acknowledged = sample.result === 'ok';
        record.requestIds = sample.attempts.map((a) => a.id);
      }
    }
  }

  /** A panel load; resolves with its session token when it was served. */
  private async panel(issueId: string): Promise<string | undefined> {
    const { text } = await this.client.send('panel', 200, () => this.jira.panelPage(issueId));
    return text === undefined ? undefined : sessionTokenOf(text);
  }

  private async lifecycleTicks(): Promise<void> {
    while (!this.stopping) {
      await new Promise((r) => setTimeout(r, this.o.lifecycleEveryMs));
      if (this.stopping) break;
      await this.lifecycle('enabled', () => this.jira.emu.enable());
    }
  }

  /**
   * A lifecycle exchange made by the emulator (`installed` + `enabled` on a reinstall, or
   * `enabled`), retried once like any client's transport failure, recorded with the same rules.
   * An `enabled` refused (401) across a rotation is the rotation's race: sent once more (a
   * reinstall whose `installed` was accepted is not repeated, only its `enabled`).
   */
  async lifecycle(what: 'reinstall' | 'enabled', first: () => Promise<LifecycleOutcome[]>): Promise<boolean> {
    const attempts: Attempt[] = [];
    let run = first;
    for (let i = 0; i < 2; i++) {
      const start = Date.now();
      let outcomes: LifecycleOutcome[];
      try {
        outcomes = await run();
      } catch (err) {
        outcomes = [{ event: what === 'reinstall' ? 'installed' : 'enabled', status: 0, ok: false, response: (err as Error).message }];
      }
      const end = Date.now();
      const bad = outcomes.find((o) => !o.ok);
      const status = bad ? bad.status : (outcomes.at(-1)?.status ?? 0);
      const transport = bad !== undefined && (bad.status === 0 || bad.status >= 502);
      const race = bad !== undefined && bad.event === 'enabled' && bad.status === 401 && this.timeline.overlapsRotation(start, end, this.o.rotationGraceMs);
      attempts.push({
        id: `lifecycle-${what}-${++this.lifecycleRuns}${i ? '-retry' : ''}`,
        start,
        end,
        status,
        result: !bad ? 'ok' : transport ? 'transport' : race ? 'rotation-race' : 'unexpected',
        error: bad ? `${bad.event} ${bad.status}` : undefined,
      });
      if (!bad || !(transport || race)) break;
      if (bad.event === 'enabled') run = () => this.jira.emu.enable();
      if (race) await new Promise((r) => setTimeout(r, RACE_PAUSE_MS));
    }
    const sample = this.client.record('lifecycle', attempts);
    return sample.result === 'ok';
  }
}
