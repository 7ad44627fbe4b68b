import * as tf from '@tensorflow/tfjs-core';
import { writeRows } from './write-rows.js';

/**
 * A parameter table trained row-sparse: rows are looked up by an id per sample (a user's vector, an
 * item's bias …), and a batch reads and updates only the rows its samples touch.
 */
export interface RowTable {
  name: string;
  param: tf.Variable;
  /** Adagrad's accumulator, same shape as `param`. */
  acc: tf.Variable;
  /** Row id of each sample of the current batch (filled by the trainer, first `m` entries used). */
  ids: Int32Array;
  /**
   * L2 penalty λ/2 ‖θ_r‖² per occurrence of row r in a batch, applied by the optimizer (its gradient
   * λ c_r θ_r is added to the loss's), so frequent rows are held back in proportion. Kept out of the
   * model's loss because differentiating it per sample costs more passes over [batch, dims] than
   * the model itself.
   */
  l2: number;
}

/** Adagrad's initial accumulator: small, so the first steps are about η per coordinate. */
const ACC0 = 0.01;

/**
 * @param init initial values, rows first ([rows] or [rows, dims]); not disposed
 * @param capacity the largest batch, for the id buffer
 */
export function rowTable(name: string, init: tf.Tensor, capacity: number, l2 = 0): RowTable {
  // A copy: rows are written in place (`writeRows`), and the cpu backend keeps the caller's typed
  // array as the tensor's storage. tidy disposes the temporaries; variables are not tidied away.
  const [param, acc] = tf.tidy(() => [tf.variable(tf.add(init, 0)), tf.variable(tf.fill(init.shape, ACC0), false)]) as [tf.Variable, tf.Variable];
  return { name, param, acc, ids: new Int32Array(capacity), l2 };
}

/** Per-process scratch of `compact`, grown to the largest id space seen. */
let seen = new Int32Array(0);
let at = new Int32Array(0);
let stamp = 0;

/**
 * Distinct values of `ids[0..m)` in first-seen order, and for each sample its slot among them.
 * `seen` holds the stamp a row was last seen under and `at` its slot, reset by a new stamp rather
 * than cleared (the id space can be millions of rows; a batch touches thousands).
 */
function compact(ids: Int32Array, m: number, rowsInTable: number): { rows: Int32Array; slot: Int32Array; count: Float32Array } {
  if (seen.length < rowsInTable) {
    seen = new Int32Array(rowsInTable);
    at = new Int32Array(rowsInTable);
    stamp = 0;
  }
  stamp++;
  const rows = new Int32Array(m);
  const slot = new Int32Array(m);
  const count = new Float32Array(m);
  let n = 0;
  for (let k = 0; k < m; k++) {
    const r = ids[k]!;
    if (r < 0 || r >= rowsInTable) throw new RangeError(`${r} is not a row of a table with ${rowsInTable} rows`);
    if (seen[r] !== stamp) {
      seen[r] = stamp;
      at[r] = n;
      rows[n++] = r;
    }
    slot[k] = at[r]!;
    count[at[r]!]!++;
  }
  return { rows: rows.subarray(0, n), slot, count: count.subarray(0, n) };
}

/**
 * One training step by autograd with row-sparse Adagrad.
 *
 * For each table the rows the batch touches are gathered once (R_t, a compact copy), the model's
 * loss is written over per-sample rows gather(R_t, slot_t), and `tf.valueAndGrads` differentiates it
 * with respect to the compact copies — the gradient of that gather sums duplicate samples into their
 * row, so the gradient tensors are as small as the batch. Adagrad then updates just those rows:
 * G_r ← G_r + g_r², θ_r ← θ_r − η g_r / √G_r, written back by `writeRows` (in place on host-memory backends); untouched rows
 * stay exactly as they were (a dense optimizer would pass over the whole user matrix every step).
 * Adagrad suits the very uneven row frequencies of users and items (Duchi et al., 2011).
 *
 * Call inside `tf.tidy`.
 * @param m samples in the batch (the first m ids of every table)
 * @param loss the batch loss from one tensor per table, rows in sample order ([m] or [m, dims])
 */
export function rowAdagradStep(tables: readonly RowTable[], m: number, loss: (perSample: tf.Tensor[]) => tf.Scalar, learningRate: number): void {
  const index = tables.map((t) => {
    const c = compact(t.ids, m, t.param.shape[0]!);
    const nu = c.rows.length;
    const count = t.l2 > 0 ? tf.tensor(c.count, [nu, ...t.param.shape.slice(1).map(() => 1)]) : null;
    return { rowIds: c.rows, rows: tf.tensor2d(c.rows, [nu, 1], 'int32'), slot: tf.tensor2d(c.slot, [m, 1], 'int32'), count };
  });
  // gatherND, not gather: the wasm GatherV2 kernel bounds-checks every index in JS and costs ~30×
  // more per row. Both take [n, 1] row indices here.
  const compactRows = tables.map((t, j) => tf.gatherND(t.param, index[j]!.rows));
  const { grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => loss(xs.map((x, j) => tf.gatherND(x, index[j]!.slot))))(compactRows);
  tables.forEach((t, j) => {
    const { rows: idx, count } = index[j]!;
    const g = count ? tf.add(grads[j]!, tf.mul(tf.mul(count, t.l2), compactRows[j]!)) : grads[j]!;
    const a = tf.add(tf.gatherND(t.acc, idx), tf.square(g));
    const p = tf.sub(compactRows[j]!, tf.mul(learningRate, tf.div(g, tf.sqrt(a))));
    writeRows(t.acc, index[j]!.rowIds, idx, a);
    writeRows(t.param, index[j]!.rowIds, idx, p);
  });
}

/** Disposes a table's variables. */
export function disposeTable(t: RowTable): void {
  t.param.dispose();
  t.acc.dispose();
}
