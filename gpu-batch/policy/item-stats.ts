import type { ItemPositionRow } from '../dataset/read-dataset.js';

/** Per-item totals (arrays indexed by item row). */
export interface ItemStats {
  impressions: Float64Array;
  rewarded: Float64Array;
  reward: Float64Array;
  /** Σ over showings of θ_position: expected examinations. */
  exposure: Float64Array;
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
