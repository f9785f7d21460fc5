import { describe, expect, it } from 'vitest';
import { POSITION_STEP, positionBetween, renumbered } from './positions';

describe('positionBetween', () => {
  it('places the first item, the top and the bottom', () => {
    expect(positionBetween(undefined, undefined)).toBe(POSITION_STEP);
    expect(positionBetween(undefined, 10)).toBe(10 - POSITION_STEP);
    expect(positionBetween(10, undefined)).toBe(10 + POSITION_STEP);
  });

  it('lands strictly between neighbours', () => {
    const p = positionBetween(1024, 2048)!;
    expect(p).toBeGreaterThan(1024);
    expect(p).toBeLessThan(2048);
  });

  it('asks for a renumbering when repeated inserts exhaust the gap', () => {
    let lo = 0;
    const hi = 1;
    let steps = 0;
    for (;;) {
      const p = positionBetween(lo, hi);
      if (p === null) break;
      lo = p;
      steps++;
      expect(steps).toBeLessThan(200);
    }
    expect(steps).toBeGreaterThan(10);
  });

  it('renumbers evenly', () => {
    expect(renumbered(3)).toEqual([POSITION_STEP, 2 * POSITION_STEP, 3 * POSITION_STEP]);
  });
});
