/**
 * The exploration pool: items the edge may show in an explored slot.
 * New items (created within `newItemMs`) and under-shown items (fewer than `underShown`
 * impressions) qualify; least-shown first, capped at `max` so a huge catalog does not dilute
 * exploration to nothing. In bootstrap every item qualifies: nothing has been shown yet.
 * @param createdAt epoch ms per item row (NaN when unknown: never "new")
 */
export function explorationPool(
  impressions: ArrayLike<number>,
  createdAt: ArrayLike<number>,
  opts: { now: number; newItemMs: number; underShown: number; max: number; bootstrap: boolean },
): number[] {
  const rows = Array.from({ length: impressions.length }, (_, i) => i);
  const eligible = opts.bootstrap ? rows : rows.filter((i) => impressions[i]! < opts.underShown || createdAt[i]! >= opts.now - opts.newItemMs);
  eligible.sort((a, b) => impressions[a]! - impressions[b]! || a - b);
  return opts.bootstrap ? eligible : eligible.slice(0, opts.max);
}

/**
 * Epsilon of a surface, until the OPE gate tunes it: ε = clamp(√(|I| · k / S), ε_min, ε_max)
 * with |I| rankable items and S = slots shown on the surface so far. ε² · S = |I| · k means
 * exploration keeps giving every item about k·(items/slots) explored showings per slot served —
 * plenty when data is scarce, fading as 1/√S as the logs grow. Bootstrap (S = 0) gives ε_max.
 */
export function surfaceEpsilon(items: number, k: number, slotsShown: number, min: number, max: number): number {
  if (slotsShown <= 0) return max;
  const e = Math.sqrt((items * k) / slotsShown);
  return Math.round(Math.min(max, Math.max(min, e)) * 1e4) / 1e4;
}
