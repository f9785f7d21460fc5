/**
 * Render budgets: a page's read waits for live product data at most this long, then answers
 * with what the app has. The work itself is not cancelled: it finishes in the background
 * (bounded by the client's own deadline, breaker and bulkhead) and fills the cache the next view
 * reads.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; late: boolean; error?: unknown };

/** Waits for `work` at most `ms` (Infinity: until it settles); says whether it answered, failed or is late (and still running). */
export async function within<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  const settled = work.then(
    (value): Settled<T> => ({ ok: true, value }),
    (error: unknown): Settled<T> => ({ ok: false, late: false, error }),
  );
  if (!Number.isFinite(ms)) return settled;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, late: true }), ms);
    (timer as { unref?: () => void }).unref?.();
  });
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
