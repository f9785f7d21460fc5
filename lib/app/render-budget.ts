import 'server-only';
import { env } from '@/lib/env';

/**
 * The render budget of iframe pages: product lookups on a page's read path get this long
 * (env PRODUCT_RENDER_BUDGET_MS), then the answer goes out with what the app has. The lookup
 * itself is not cancelled: it finishes in the background (bounded by the product client's own
 * deadline, breaker and bulkhead) and fills the cache the next view reads.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; late: boolean; error?: unknown };

export function renderBudgetMs(): number {
  return env().PRODUCT_RENDER_BUDGET_MS;
}

/** Waits for `work` at most `ms` (Infinity: until it settles); says whether it answered, failed or is late (and still running). */
export async function within<T>(work: Promise<T>, ms: number = renderBudgetMs()): Promise<Settled<T>> {
  const settled = work.then(
    (value): Settled<T> => ({ ok: true, value }),
    (error: unknown): Settled<T> => ({ ok: false, late: false, error }),
  );
  if (!Number.isFinite(ms)) return settled;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, late: true }), ms);
    timer.unref();
  });
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
