import { REQUEST_ID_HEADER } from './haproxy';
import type { Signed } from './product';
import type { Phase, Timeline } from './timeline';

/**
 * The load's HTTP client, behaving as the product and the iframe would: a request that fails at
 * the transport level (reset, refused, no answer, or 502/503/504 from the load balancer) is an
 * error the client saw, and is sent once more (a write with the same text, a webhook with the
 * same identifier). A 401 for a request signed with a secret that was rotated meanwhile, or within
 * one tenant cache TTL after a rotation (the time instances have to see a new secret), is the
 * rotation's race, not a failure: after a short pause it is signed again with the current secret
 * and sent once more. Anything else unexpected is recorded as such and not retried.
 */

export type Kind = 'panel' | 'write' | 'webhook' | 'lifecycle';

export type AttemptResult = 'ok' | 'transport' | 'rotation-race' | 'unexpected';

export interface Attempt {
  /** The request id sent in `x-scale-request` (found again in HAProxy's log). */
  id: string;
  start: number;
  end: number;
  /** 0 when no HTTP answer came. */
  status: number;
  result: AttemptResult;
  /** The instance that answered (`X-Served-By`). */
  server?: string;
  error?: string;
}

export interface Sample {
  kind: Kind;
  start: number;
  end: number;
  attempts: Attempt[];
  /** The last attempt's result. */
  result: AttemptResult;
}

/** A failed attempt the client saw, with the phase it was seen in. */
export interface SeenError {
  kind: Kind;
  phase: Phase;
  id: string;
  at: number;
  status: number;
  error?: string;
  /** Whether the client's one retry then succeeded. */
  retriedOk: boolean;
}

const GATEWAY = new Set([502, 503, 504]);

/** The pause before re-sending a request refused in a rotation's race (the app re-reads a secret at most every 100 ms). */
export const RACE_PAUSE_MS = 500;

/** Transport-level failure or not (pure). */
export function classify(status: number, expected: number, signedAcrossRotation: boolean): AttemptResult {
  if (status === expected) return 'ok';
  if (status === 0 || GATEWAY.has(status)) return 'transport';
  if (status === 401 && signedAcrossRotation) return 'rotation-race';
  return 'unexpected';
}

export class LoadClient {
  readonly samples: Sample[] = [];
  readonly seen: SeenError[] = [];
  readonly unexpected: { kind: Kind; phase: Phase; status: number; body: string }[] = [];
  /** Answers from an instance (HAProxy named it) without an `X-Request-Id` header. */
  missingRequestId = 0;
  private seq = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly current: () => string,
    /** How long after a rotation a 401 still counts as its race: the tenant cache TTL. */
    private readonly rotationGraceMs: number,
    private readonly timeoutMs = 30_000,
  ) {}

  /**
   * Sends a request made by `sign` (called again for the retry), expecting `expected`.
   * Resolves with the sample and the final response text (when there was one).
   */
  async send(kind: Kind, expected: number, sign: () => Promise<Signed>): Promise<{ sample: Sample; text?: string }> {
    const sample: Sample = { kind, start: Date.now(), end: 0, attempts: [], result: 'ok' };
    let text: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const id = `${kind}-${++this.seq}${attempt ? '-retry' : ''}`;
      const signedAt = Date.now();
      const { request, secret } = await sign();
      const a: Attempt = { id, start: Date.now(), end: 0, status: 0, result: 'ok' };
      let body = '';
      try {
        const res = await fetch(request.url, {
          method: request.method,
          headers: { ...request.headers, [REQUEST_ID_HEADER]: id },
          body: request.body,
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'manual',
        });
        a.status = res.status;
        a.server = res.headers.get('x-served-by') ?? undefined;
        if (a.server && !res.headers.get('x-request-id')) this.missingRequestId++;
        body = await res.text();
      } catch (err) {
        a.status = 0;
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        a.error = cause?.code ?? cause?.message ?? (err as Error).message;
      }
      a.end = Date.now();
      const acrossRotation = secret !== this.current() || this.timeline.overlapsRotation(signedAt, a.end, this.rotationGraceMs);
      a.result = a.status === 0 ? 'transport' : classify(a.status, expected, acrossRotation);
      sample.attempts.push(a);
      if (a.result === 'ok') text = body;
      if (a.result === 'unexpected') this.unexpected.push({ kind, phase: this.timeline.phaseAt(a.end), status: a.status, body: body.slice(0, 200) });
      if (a.result !== 'transport' && a.result !== 'rotation-race') break;
      if (a.result === 'rotation-race') await new Promise((r) => setTimeout(r, RACE_PAUSE_MS));
    }
    this.finish(sample);
    return { sample, text };
  }

  /** Records an exchange made by someone else (the emulator's lifecycle calls) with the same rules. */
  record(kind: Kind, attempts: Attempt[]): Sample {
    const sample: Sample = { kind, start: attempts[0]?.start ?? Date.now(), end: 0, attempts, result: 'ok' };
    for (const a of attempts) if (a.result === 'unexpected') this.unexpected.push({ kind, phase: this.timeline.phaseAt(a.end), status: a.status, body: a.error ?? '' });
    this.finish(sample);
    return sample;
  }

  private finish(sample: Sample): void {
    const last = sample.attempts.at(-1)!;
    sample.end = last.end;
    sample.result = last.result;
    this.samples.push(sample);
    sample.attempts.forEach((a, i) => {
      if (a.result !== 'transport') return;
      const next = sample.attempts[i + 1];
      this.seen.push({ kind: sample.kind, phase: this.timeline.phaseAt(a.end), id: a.id, at: a.end, status: a.status, error: a.error, retriedOk: next?.result === 'ok' });
    });
  }
}
