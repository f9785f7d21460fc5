import type { ConnectLogger } from '../runtime';
import type { TenantRepository } from './repository';

const TOUCH_EVERY_MS = 5 * 60_000;
const MAX_TRACKED = 50_000;

/**
 * Records that a site is still calling (`lastSeenAt`, which retention honours), at most once per
 * site every few minutes and never on the request's critical path. One per runtime: Connect and
 * Forge calls share it.
 */
export class TouchThrottle {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly store: Pick<TenantRepository, 'touch'>,
    private readonly log: ConnectLogger,
    private readonly everyMs = TOUCH_EVERY_MS,
  ) {}

  touch(clientKey: string, lastSeenAt: Date | null, now: Date): void {
    const prev = this.last.get(clientKey) ?? lastSeenAt?.getTime() ?? 0;
    if (now.getTime() - prev < this.everyMs) return;
    this.mark(clientKey, now);
    this.store.touch(clientKey, now).catch((err: unknown) => this.log.warn({ err: String(err) }, 'touch failed'));
  }

  /** A write elsewhere already set lastSeenAt (e.g. a Forge link): no touch needed for a while. */
  mark(clientKey: string, now: Date): void {
    this.last.delete(clientKey);
    if (this.last.size >= MAX_TRACKED) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    this.last.set(clientKey, now.getTime());
  }
}
