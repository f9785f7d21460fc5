import type { ConnectLogger } from '../runtime';
import type { TenantRepository } from './repository';

const WINDOW_MS = 60_000;
/** Rejected calls recorded (and logged one by one) per window; the rest are counted and summarised. */
const REJECTIONS_PER_WINDOW = 20;

/**
 * The lifecycle audit trail. Accepted events are recorded against their (verified) tenant.
 * Rejections are recorded without any tenant — the body of a refused call is the caller's word,
 * and naming a victim's clientKey must not write into that site's trail or export — and at most
 * REJECTIONS_PER_WINDOW per minute per process, so a flood of bogus calls cannot fill the table
 * or the logs; what is left out is counted in one summary line per minute.
 */
export class LifecycleAudit {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = new Map<string, number>();

  constructor(
    private readonly store: Pick<TenantRepository, 'recordLifecycle'>,
    private readonly log: ConnectLogger,
    private readonly now: () => Date,
  ) {}

  async accepted(event: string, clientKey: string): Promise<void> {
    await this.store.recordLifecycle({ event, clientKey, outcome: 'accepted' });
    this.log.info({ event, clientKey }, 'lifecycle accepted');
  }

  /** Never throws: a failing audit write must not change the answer to the caller. */
  async rejected(event: string, code: string, detail: string): Promise<void> {
    const t = this.now().getTime();
    if (t - this.windowStart >= WINDOW_MS) this.rollWindow(t);
    if (this.inWindow >= REJECTIONS_PER_WINDOW) {
      const key = `${event}:${code}`;
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return;
    }
    this.inWindow++;
    this.log.warn({ event, code, detail }, 'lifecycle rejected');
    await this.store.recordLifecycle({ event, clientKey: null, outcome: 'rejected', reason: code }).catch((err: unknown) => {
      this.log.warn({ err: String(err) }, 'lifecycle audit write failed');
    });
  }

  private rollWindow(t: number): void {
    if (this.suppressed.size) {
      const counts = Object.fromEntries(this.suppressed);
      const total = [...this.suppressed.values()].reduce((a, b) => a + b, 0);
      this.log.warn({ total, counts }, 'lifecycle rejections over the audit limit (counted, not recorded)');
      this.suppressed = new Map();
    }
    this.windowStart = t;
    this.inWindow = 0;
  }
}
