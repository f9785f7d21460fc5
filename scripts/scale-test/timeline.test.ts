import { describe, expect, it } from 'vitest';
import { Timeline } from './timeline';

describe('Timeline', () => {
  it('attributes a moment to the phase it fell in', () => {
    const t = new Timeline(1000);
    t.enter('rolling', 2000);
    t.enter('steady', 3000);
    t.enter('sigkill', 4000);
    expect([t.phaseAt(1500), t.phaseAt(2000), t.phaseAt(2999), t.phaseAt(3500), t.phaseAt(9000)]).toEqual(['steady', 'rolling', 'rolling', 'steady', 'sigkill']);
  });

  it('a request overlaps a rotation in progress, or one that ended less than the grace ago', () => {
    const t = new Timeline(0);
    t.rotationStarted(100);
    expect(t.overlapsRotation(50, 120)).toBe(true);
    expect(t.overlapsRotation(0, 90)).toBe(false);
    t.rotationEnded(200);
    expect(t.overlapsRotation(150, 160)).toBe(true);
    expect(t.overlapsRotation(250, 260)).toBe(false);
    expect(t.overlapsRotation(250, 260, 100)).toBe(true);
    expect(t.overlapsRotation(301, 310, 100)).toBe(false);
  });
});
