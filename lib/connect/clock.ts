/**
 * lru-cache options for an injected clock: it reads `perf.now()`, and with ttlResolution 0 it
 * never holds on to a reading (its default debounces the clock for 1 ms of real time, which a
 * test's clock does not follow).
 */
export function lruClock(now: (() => number) | undefined): { perf?: { now: () => number }; ttlResolution?: number } {
  return now ? { perf: { now }, ttlResolution: 0 } : {};
}
