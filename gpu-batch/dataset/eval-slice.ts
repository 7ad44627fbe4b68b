/**
 * The deploy gate's evaluation slice: a fixed, hashed share of impressions that learning never
 * trains on and the gate evaluates on (`--gate-slice`).
 *
 * Why: a candidate trained on the logs the gate then reads is valued with its own luck — it ranks
 * items, and builds users' lists, from the very clicks those logs hold, and the doubly robust
 * correction credits it for them (a winner's curse). The serving version trained on the older part
 * of the same window, so the two curses partly cancel, by accident: restricted to the impressions
 * the serving version logged (which it never trained on, and the candidate did), a sparse-world
 * run's real candidates read +0.15 of the serving value above their truth on average, and a copy
 * truly 10.3% worse read +1.5%. On impressions neither version trained on, the estimate's noise
 * is the only error left, whatever the versions learnt from.
 *
 * The slice is a pure function of the impression id (the first 32 bits of its MD5, modulo 10,000),
 * the same in every run and every DuckDB version, so no version ever trains on what a later gate
 * will judge it on.
 * @param share of impressions in the slice, 0 ≤ share < 1 (0: no slice)
 * @param column the SQL expression of the impression id
 * @returns a SQL boolean expression: true for an impression in the slice
 */
export function inEvalSlice(share: number, column = '"impression_id"'): string {
  if (!(share >= 0 && share < 1)) throw new RangeError(`eval slice share must be in [0, 1), got ${share}`);
  return `((('0x' || left(md5(${column}), 8))::UBIGINT % ${SLICE_BUCKETS}) < ${Math.round(share * SLICE_BUCKETS)})`;
}

/** Buckets the slice is drawn in: its share is set to 1/10,000. */
export const SLICE_BUCKETS = 10_000;
