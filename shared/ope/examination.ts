/** Showings of one (position, explored) cell: how many, and the reward they earned. */
export interface PositionCell {
  position: number;
  explored: boolean;
  shown: number;
  /** Rewarded showings (the batch tier) or summed reward (the gate's reward model). */
  rewarded: number;
}

/**
 * Examination weight per position under the position-based click model
 * P(click | item i at position p) = θ_p · r_i, estimated from explored slots alone.
 *
 * Why it is identifiable there: explored slots are filled by a uniform draw from the pool, so the
 * item in an explored slot is independent of its position, and the explored CTR at p is
 * θ_p · E[r]. Hence θ_p = CTR_p / CTR_0. Each CTR is shrunk toward the overall explored CTR with
 * `m` pseudo-showings so a thinly observed position stays near 1·, and θ is kept in [0.05, 1] (a
 * position is never examined more than the top one, never not at all). Without explored data
 * every θ is 1 (no debiasing).
 *
 * Exploited slots cannot give θ: the mean reward at a position mixes how often it is read with
 * how good the items a ranking puts there are. Under a trained policy the top holds the best
 * items, so the mean reward falls down the slate faster than reading does (in the pbm-deep world,
 * 0.06 of the top's at position 9 where the reading is 0.13), and an item explored low in the
 * slate looks that much better per reading than it is.
 * @param rows per (position, explored) showing counts; rows of other positions are ignored
 * @param positions how many positions to return
 */
export function positionWeights(rows: Iterable<PositionCell>, positions: number, m = 200): number[] {
  const shown = new Float64Array(positions);
  const rewarded = new Float64Array(positions);
  for (const r of rows) {
    if (!r.explored || r.position >= positions) continue;
    shown[r.position]! += r.shown;
    rewarded[r.position]! += r.rewarded;
  }
  const totalShown = shown.reduce((a, b) => a + b, 0);
  const totalRewarded = rewarded.reduce((a, b) => a + b, 0);
  if (totalShown === 0 || totalRewarded === 0) return new Array<number>(positions).fill(1);
  const base = totalRewarded / totalShown;
  const ctr = Array.from(shown, (s, p) => (rewarded[p]! + m * base) / (s + m));
  return ctr.map((c) => Math.min(1, Math.max(0.05, c / ctr[0]!)));
}
