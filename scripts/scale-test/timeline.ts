/**
 * What the run is doing when: the phase (steady load, the rolling restart, the SIGKILL and its
 * restart) and the windows in which the shared secret was being rotated. Errors are attributed to
 * the phase in which the client saw them.
 */

export type Phase = 'steady' | 'rolling' | 'sigkill';

export interface PhaseSpan {
  phase: Phase;
  from: number;
  to?: number;
}

export interface Window {
  from: number;
  to: number;
}

export class Timeline {
  readonly spans: PhaseSpan[] = [];
  readonly rotations: Window[] = [];
  private rotating?: number;
  private readonly events: { at: number; what: string }[] = [];

  constructor(
    readonly t0: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.spans.push({ phase: 'steady', from: t0 });
  }

  get phase(): Phase {
    return this.spans.at(-1)!.phase;
  }

  enter(phase: Phase, at = Date.now()): void {
    this.spans.at(-1)!.to = at;
    this.spans.push({ phase, from: at });
    this.note(`phase ${phase}`, at);
  }

  end(at = Date.now()): void {
    this.spans.at(-1)!.to ??= at;
  }

  /** The phase at a moment (the last one for a moment after the end). */
  phaseAt(at: number): Phase {
    for (let i = this.spans.length - 1; i >= 0; i--) if (at >= this.spans[i]!.from) return this.spans[i]!.phase;
    return 'steady';
  }

  rotationStarted(at = Date.now()): void {
    this.rotating = at;
  }

  rotationEnded(at = Date.now()): void {
    this.rotations.push({ from: this.rotating ?? at, to: at });
    this.rotating = undefined;
  }

  /**
   * Whether [from, to] overlaps a rotation (in progress, or finished less than `afterMs` ago: the
   * time instances are allowed to take to see the new secret).
   */
  overlapsRotation(from: number, to: number, afterMs = 0): boolean {
    if (this.rotating !== undefined && to >= this.rotating) return true;
    return this.rotations.some((w) => from <= w.to + afterMs && to >= w.from);
  }

  note(what: string, at = Date.now()): void {
    this.events.push({ at, what });
    this.log(`+${((at - this.t0) / 1000).toFixed(1)}s ${what}`);
  }

  notes(): { atS: number; what: string }[] {
    return this.events.map((e) => ({ atS: Math.round((e.at - this.t0) / 100) / 10, what: e.what }));
  }
}
