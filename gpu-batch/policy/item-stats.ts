import type { ItemPositionRow } from '../dataset/read-dataset.js';

/** Per-item totals (arrays indexed by item row). */
export interface ItemStats {
  impressions: Float64Array;
  rewarded: Float64Array;
  reward: Float64Array;
  /** Σ over showings of θ_position: expected examinations. */
  exposure: Float64Array;
}

/**
 * Examination weight per position under the position-based click model
 * P(click | item i at position p) = θ_p · r_i.
 *
 * Why it is identifiable here: explored slots are filled by a uniform draw from the pool, so the
 * item in an explored slot is independent of its position, and the explored CTR at p is
 * θ_p · E[r]. Hence θ_p = CTR_p / CTR_0 from explored rows alone. Each CTR is shrunk toward the
 * overall explored CTR with `m` pseudo-showings so a thinly observed position stays near 1·, and θ
 * is kept in [0.05, 1] (a position is never examined more than the top one, never not at all).
 * Without explored data every θ is 1 (no debiasing).
 * @param rows per (item, position, explored) counts
 * @param positions how many positions to return
 */
export function positionWeights(rows: readonly ItemPositionRow[], positions: number, m = 200): number[] {
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

/** Sums the per-(item, position) rows into per-item totals, weighting exposure by θ. */
export function itemStats(rows: readonly ItemPositionRow[], nItems: number, theta: readonly number[]): ItemStats {
  const s: ItemStats = { impressions: new Float64Array(nItems), rewarded: new Float64Array(nItems), reward: new Float64Array(nItems), exposure: new Float64Array(nItems) };
  const last = theta.length ? theta[theta.length - 1]! : 1;
  for (const r of rows) {
    s.impressions[r.item]! += r.shown;
    s.rewarded[r.item]! += r.rewarded;
    s.reward[r.item]! += r.reward;
    s.exposure[r.item]! += r.shown * (theta[r.position] ?? last);
  }
  return s;
}
