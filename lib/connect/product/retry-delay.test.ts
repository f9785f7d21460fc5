import { describe, expect, it } from 'vitest';
import { ATLASSIAN_RETRY, parseRetryAfter, retryDelayMs } from './retry-delay';

describe("Atlassian's retry delay", () => {
  const lowest = () => 0;
  const highest = () => 0.999999;

  it('uses the published constants', () => {
    expect(ATLASSIAN_RETRY).toEqual({ maxRetries: 4, baseDelayMs: 5000, maxDelayMs: 30000, jitter: [0.7, 1.3] });
  });

  it('doubles from 2 × 5 s and caps at 30 s before jitter', () => {
    const mid = () => 0.5; // factor 1.0
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, ATLASSIAN_RETRY, mid))).toEqual([10_000, 20_000, 30_000, 30_000, 30_000]);
  });

  it('multiplies the exponential delay by a factor in [0.7, 1.3]', () => {
    expect(retryDelayMs(1, undefined, ATLASSIAN_RETRY, lowest)).toBe(7_000);
    expect(retryDelayMs(1, undefined, ATLASSIAN_RETRY, highest)).toBe(13_000);
    expect(retryDelayMs(4, undefined, ATLASSIAN_RETRY, highest)).toBe(39_000);
    for (let i = 0; i < 200; i++) {
      const d = retryDelayMs(2, undefined);
      expect(d).toBeGreaterThanOrEqual(14_000);
      expect(d).toBeLessThanOrEqual(26_000);
    }
  });

  it('never waits less than Retry-After, and at most 1.3 × it', () => {
    expect(retryDelayMs(1, 3_000, ATLASSIAN_RETRY, lowest)).toBe(3_000);
    expect(retryDelayMs(3, 3_000, ATLASSIAN_RETRY, highest)).toBe(3_900);
    // Retry-After wins over the exponential schedule and is not capped by it
    expect(retryDelayMs(1, 60_000, ATLASSIAN_RETRY, lowest)).toBe(60_000);
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500);
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
