/**
 * The deploy gate's evaluation slice: a fixed, hashed share of impressions that no user's taste or
 * list learns from while a gate can still read them, and that the gate judges on (`--gate-slice`;
 * gpu-batch/dataset/build-dataset.ts holds them out, gpu-batch/ope/ope-gate.ts judges on them).
 *
 * Why: a candidate trained on the logs the gate then reads is valued with its own luck — a user's
 * list built from that user's clicks matches the logged slots at w ≈ 1, below any clip, with the
 * very clicks it memorised, and the doubly robust correction credits them (a winner's curse). The
 * serving version trained on the older part of the same window, so the two curses partly cancel,
 * by accident: restricted to the impressions the serving version logged (which it never trained
 * on, and the candidate did), a sparse-world run's real candidates read +0.15 of the serving value
 * above their truth on average, and a copy truly 10.3% worse read +1.5%. Items' base appeal still
 * counts the slice: the gate's reward model reads every impression anyway (its item-level luck is
 * the same either way), and base appeal is what the strangers' list lives on.
 *
 * The slice is a pure function of the impression id (the first 32 bits of its MD5, modulo 10,000),
 * the same in every run and every DuckDB version, so no version's lists ever learn from what a
 * later gate will judge them on.
 * @param share of impressions in the slice, 0 ≤ share < 1 (0: no slice)
 * @param column the SQL expression of the impression id
 * @returns a SQL boolean expression: true for an impression in the slice
 */
export function inEvalSlice(share: number, column = '"impression_id"'): string {
  if (!(share >= 0 && share < 1)) throw new RangeError(`eval slice share must be in [0, 1), got ${share}`);
  return `((('0x' || left(md5(${column}), 8))::UBIGINT % ${SLICE_BUCKETS}) < ${Math.round(share * SLICE_BUCKETS)})`;
}

/** Buckets the slice is drawn in: its share is set in steps of 1/10,000. */
export const SLICE_BUCKETS = 10_000;
