import { describe, expect, it } from 'vitest';
import { countBy, percentile, summarize } from './stats';

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 · n)', () => {
    const xs = [15, 20, 35, 40, 50];
    expect(percentile(xs, 5)).toBe(15);
    expect(percentile(xs, 30)).toBe(20);
    expect(percentile(xs, 40)).toBe(20);
    expect(percentile(xs, 50)).toBe(35);
    expect(percentile(xs, 100)).toBe(50);
  });

  it('does not depend on the input order and leaves the input alone', () => {
    const xs = [9, 1, 5, 3, 7];
    expect(percentile(xs, 50)).toBe(5);
    expect(xs).toEqual([9, 1, 5, 3, 7]);
  });

  it('p99 of 1..1000 is 990; p0 is the minimum', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(percentile(xs, 99)).toBe(990);
    expect(percentile(xs, 0)).toBe(1);
  });

  it('is null without values and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize and countBy', () => {
  it('summarizes latencies', () => {
    expect(summarize([3, 1, 2])).toEqual({ count: 3, p50: 2, p99: 3, max: 3 });
    expect(summarize([])).toEqual({ count: 0, p50: null, p99: null, max: null });
  });

  it('counts by key, sorted', () => {
    expect(countBy(['b', 'a', 'b'], (x) => x)).toEqual({ a: 1, b: 2 });
    expect(Object.keys(countBy(['b', 'a'], (x) => x))).toEqual(['a', 'b']);
  });
});
