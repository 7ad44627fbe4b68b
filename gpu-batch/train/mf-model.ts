import * as tf from '@tensorflow/tfjs-core';
import type { TrainingPairs } from '../dataset/read-dataset.js';
import { normalArray, permutation, trainingRng } from './init.js';

/** Learned parameters: score(u, i) = user[u] · item[i] + bias[i] + globalBias. */
export interface MfParams {
  dims: number;
  /** nUsers × dims, row-major. */
  user: Float32Array;
  /** nItems × dims, row-major. */
  item: Float32Array;
  bias: Float32Array;
  globalBias: number;
}

/** Adagrad's initial accumulator: small, so the first steps are about η per coordinate. */
const ACC0 = 0.01;

export interface MfOptions {
  nUsers: number;
  nItems: number;
  dims: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2: number;
  /** Uniformly drawn unshown items per positive, labelled 0 (implicit negatives). */
  randomNegatives: number;
  seed: number;
  /** Continue from these parameters (fine-tuning) instead of a fresh initialisation. */
  init?: MfParams;
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface MfResult {
  params: MfParams;
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  losses: number[];
}

/**
 * Implicit-feedback matrix factorisation with a logistic loss, trained by mini-batch Adagrad on
 * whichever tfjs backend is active.
 *
 * Loss per batch B:  L = Σ_b (w_b / w̄) · (softplus(z_b) − y_b z_b),  z = U_u·V_i + b_i + b₀,
 * plus λ/2 (‖U_u‖² + ‖V_i‖²) per occurrence (w̄ = mean weight in the batch, so up-weighted
 * subsampled negatives do not change the step size). The gradients are written by hand —
 * ∂L/∂z_b = (w_b / w̄)(σ(z_b) − y_b), ∂L/∂U_u = Σ_{b: u_b=u} ∂L/∂z_b · V_i + λ U_u (and symmetric
 * for V, b) — and scattered with `scatterND` (which sums duplicate rows) into compact gradients
 * over only the rows the batch touches; Adagrad then updates just those rows (`adagradRows`).
 * Autograd would need the gradient of `gather` (UnsortedSegmentSum), which the wasm backend lacks; the hand-written form is the same maths and cheaper. Adagrad suits the very uneven row
 * frequencies of users and items (Duchi et al., 2011). Every step runs inside `tf.tidy`.
 */
export function trainMf(pairs: TrainingPairs, o: MfOptions): MfResult {
  const { nUsers, nItems, dims, batchSize } = o;
  const rng = trainingRng(o.seed, 1);
  const n = pairs.user.length;
  let positiveW = 0;
  let totalW = 0;
  for (let k = 0; k < n; k++) {
    totalW += pairs.w[k]!;
    if (pairs.y[k]! > 0) positiveW += pairs.w[k]!;
  }
  const prior = totalW > 0 ? Math.min(Math.max(positiveW / totalW, 1e-4), 1 - 1e-4) : 0.05;
  const globalBias = o.init?.globalBias ?? Math.log(prior / (1 - prior));
  // tidy disposes the initial-value tensors; the variables outlive it and are disposed in finally.
  const [U, V, b, gU, gV, gb, lossSum] = tf.tidy(() => [
    tf.variable(tf.tensor2d(o.init?.user ?? normalArray(rng, nUsers * dims, 0.1), [nUsers, dims])),
    tf.variable(tf.tensor2d(o.init?.item ?? normalArray(rng, nItems * dims, 0.1), [nItems, dims])),
    tf.variable(tf.tensor1d(o.init?.bias ?? new Float32Array(nItems))),
    tf.variable(tf.fill([nUsers, dims], ACC0)),
    tf.variable(tf.fill([nItems, dims], ACC0)),
    tf.variable(tf.fill([nItems], ACC0)),
    tf.variable(tf.scalar(0)),
  ]) as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const losses: number[] = [];
  const extra = Math.round(o.randomNegatives * batchSize);
  const uBuf = new Int32Array(batchSize + extra);
  const iBuf = new Int32Array(batchSize + extra);
  const yBuf = new Float32Array(batchSize + extra);
  const wBuf = new Float32Array(batchSize + extra);
  const uSeen = new Int32Array(nUsers);
  const uAt = new Int32Array(nUsers);
  const iSeen = new Int32Array(nItems);
  const iAt = new Int32Array(nItems);
  const uSlot = new Int32Array(batchSize + extra);
  const iSlot = new Int32Array(batchSize + extra);
  const uRows = new Int32Array(batchSize + extra);
  const iRows = new Int32Array(batchSize + extra);
  let stamp = 0;
  let samples = 0;
  const t0 = performance.now();
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = permutation(rng, n);
      tf.tidy(() => lossSum.assign(tf.scalar(0)));
      let batches = 0;
      let measured = 0;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        let m = 0;
        let positives = 0;
        for (let k = start; k < end; k++) {
          const s = order[k]!;
          uBuf[m] = pairs.user[s]!;
          iBuf[m] = pairs.item[s]!;
          yBuf[m] = pairs.y[s]!;
          wBuf[m] = pairs.w[s]!;
          if (yBuf[m]! > 0) positives++;
          m++;
        }
        // Random items as negatives for users of this batch: cheap implicit negatives that keep
        // never-shown items from floating to the top of everyone's list.
        const want = Math.min(extra, Math.round(o.randomNegatives * positives));
        for (let r = 0; r < want; r++) {
          uBuf[m] = uBuf[Math.floor(rng.next() * (end - start))]!;
          iBuf[m] = Math.floor(rng.next() * nItems);
          yBuf[m] = 0;
          wBuf[m] = 1;
          m++;
        }
        // The loss is only for the report: measure it on every 8th batch, it costs a quarter of a step.
        const measure = batches % 8 === 0;
        step(m, measure);
        samples += m;
        if (measure) measured++;
        batches++;
      }
      const loss = measured > 0 ? lossSum.dataSync()[0]! / measured : 0;
      losses.push(loss);
      o.onEpoch?.(epoch, loss);
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      params: { dims, user: U.dataSync() as Float32Array, item: V.dataSync() as Float32Array, bias: b.dataSync() as Float32Array, globalBias },
      samples,
      seconds,
      samplesPerSecond: seconds > 0 ? samples / seconds : 0,
      losses,
    };
  } finally {
    for (const v of [U, V, b, gU, gV, gb, lossSum]) v.dispose();
  }

  function step(m: number, measure: boolean): void {
    // Rows this batch touches, and each sample's slot among them (for the compact gradients).
    stamp++;
    const nu = compact(uBuf, m, uSeen, uAt, uSlot, uRows, stamp);
    const ni = compact(iBuf, m, iSeen, iAt, iSlot, iRows, stamp);
    tf.tidy(() => {
      // gatherND, not gather: the wasm GatherV2 kernel bounds-checks every index in JS and costs
      // ~30× more per row. The sample indices are [m, 1] tensors for gatherND and scatterND alike.
      const uIdx = tf.tensor2d(uBuf.subarray(0, m), [m, 1], 'int32');
      const iIdx = tf.tensor2d(iBuf.subarray(0, m), [m, 1], 'int32');
      const y = tf.tensor1d(yBuf.subarray(0, m));
      const w = tf.tensor1d(wBuf.subarray(0, m));
      const wMean = tf.mean(w);
      const Ur = tf.gatherND(U, uIdx) as tf.Tensor2D;
      const Vr = tf.gatherND(V, iIdx) as tf.Tensor2D;
      const z = tf.add(tf.add(tf.sum(tf.mul(Ur, Vr), 1), tf.gatherND(b, iIdx)), globalBias);
      // softplus(z) − y z, weighted mean.
      if (measure) lossSum.assign(tf.add(lossSum, tf.div(tf.mean(tf.mul(w, tf.sub(tf.softplus(z), tf.mul(y, z)))), wMean)));
      const g = tf.div(tf.mul(w, tf.sub(tf.sigmoid(z), y)), wMean);
      const g2 = tf.reshape(g, [m, 1]);
      const l2 = o.l2;
      const uSlots = tf.tensor2d(uSlot.subarray(0, m), [m, 1], 'int32');
      const iSlots = tf.tensor2d(iSlot.subarray(0, m), [m, 1], 'int32');
      const uRowsT = tf.tensor2d(uRows.subarray(0, nu), [nu, 1], 'int32');
      const iRowsT = tf.tensor2d(iRows.subarray(0, ni), [ni, 1], 'int32');
      const dU = tf.scatterND(uSlots, tf.add(tf.mul(g2, Vr), tf.mul(l2, Ur)), [nu, dims]);
      const dV = tf.scatterND(iSlots, tf.add(tf.mul(g2, Ur), tf.mul(l2, Vr)), [ni, dims]);
      const db = tf.scatterND(iSlots, g, [ni]);
      adagradRows(U, gU, uRowsT, dU, o.learningRate);
      adagradRows(V, gV, iRowsT, dV, o.learningRate);
      adagradRows(b, gb, iRowsT, db, o.learningRate);
    });
  }
}

/**
 * Distinct values of `idx[0..m)` in first-seen order into `rows`, and for each sample its slot
 * among them into `slot`. `seen` (the stamp a row was last seen under) and `at` (its slot) are
 * scratch arrays over the whole index space, reset by using a new `stamp` rather than cleared.
 * @returns how many distinct rows
 */
function compact(idx: Int32Array, m: number, seen: Int32Array, at: Int32Array, slot: Int32Array, rows: Int32Array, stamp: number): number {
  let n = 0;
  for (let k = 0; k < m; k++) {
    const r = idx[k]!;
    if (seen[r] !== stamp) {
      seen[r] = stamp;
      at[r] = n;
      rows[n++] = r;
    }
    slot[k] = at[r]!;
  }
  return n;
}

/**
 * Adagrad on the touched rows only: G_r ← G_r + g_r², θ_r ← θ_r − η g_r / √G_r for the rows in
 * `idx` ([rows, 1], with their compact gradients `grad`), written back with `tensorScatterUpdate`. Rows
 * without gradient are left exactly as they were — the same result as the dense update, without
 * a dozen passes over the whole user matrix per step.
 */
function adagradRows(param: tf.Variable, acc: tf.Variable, idx: tf.Tensor2D, grad: tf.Tensor, lr: number): void {
  const a = tf.add(tf.gatherND(acc, idx), tf.square(grad));
  const p = tf.sub(tf.gatherND(param, idx), tf.mul(lr, tf.div(grad, tf.sqrt(a))));
  acc.assign(tf.tensorScatterUpdate(acc, idx, a));
  param.assign(tf.tensorScatterUpdate(param, idx, p));
}
