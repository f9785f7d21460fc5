/**
 * Fractional ordering: an item's `position` is a float, and a move writes only the moved row
 * (its new position lies between its new neighbours), so moving one item never rewrites, or
 * conflicts with, anyone else's edits to other items.
 */
export const POSITION_STEP = 1024;
/** Below this gap the midpoint loses meaning in a double: renumber the list instead. */
const MIN_GAP = 1e-6;

/**
 * A position strictly between `before` and `after` (either may be missing: top or bottom of the
 * list), or null when there is no room left and the list must be renumbered first.
 */
export function positionBetween(before: number | undefined, after: number | undefined): number | null {
  if (before === undefined && after === undefined) return POSITION_STEP;
  if (before === undefined) return after! - POSITION_STEP;
  if (after === undefined) return before + POSITION_STEP;
  if (after - before < MIN_GAP) return null;
  const mid = before + (after - before) / 2;
  return mid > before && mid < after ? mid : null;
}

/** Evenly spaced positions for `n` items, in order. */
export function renumbered(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i + 1) * POSITION_STEP);
}
