import * as tf from '@tensorflow/tfjs-core';
import type { TrainingPairs } from '../dataset/read-dataset.js';
import { enableAutograd } from './autograd/index.js';
import { normalArray, permutation, trainingRng } from './init.js';
import { disposeTable, rowAdagradStep, rowTable } from './row-adagrad.js';

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

/** The personal term U_u · V_i. */
export function tasteScore(p: MfParams, u: number, i: number): number {
  const d = p.dims;
  let s = 0;
  for (let q = 0; q < d; q++) s += p.user[u * d + q]! * p.item[i * d + q]!;
  return s;
}

/** The whole score U_u · V_i + b_i + b₀, as candidate generation (`topKForUsers`) ranks by it. */
export function modelScore(p: MfParams, u: number, i: number): number {
  return tasteScore(p, u, i) + p.bias[i]! + p.globalBias;
}

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
 * The model, written once with tfjs ops and differentiated by autograd on every backend.
 *
 * Per-sample loss, summed over the batch B:
 *   L = Σ_b (w_b / w̄) · (softplus(z_b) − y_b z_b) + λ/2 Σ_b (‖U_u‖² + ‖V_i‖²),  z = U_u·V_i + b_i + b₀
 * (logistic loss; w̄ = mean weight in the batch, so up-weighted subsampled negatives do not change
 * the step size). The L2 term, per occurrence so frequent rows are held back in proportion, is the
 * tables' (`RowTable.l2`, applied by the optimizer); this function is the data term. The loss is a
 * sum, not a mean, so a row's step does not depend on how many other rows shared its batch.
 *
 * To add a term (a position bias, a user bias …): add a table in `trainMf` with its id per sample,
 * and use its per-sample tensor here.
 * @returns the batch's data loss
 */
function mfLoss(e: MfRows, y: tf.Tensor1D, w: tf.Tensor1D, globalBias: number): tf.Scalar {
  const z = tf.add(tf.add(tf.sum(tf.mul(e.user, e.item), 1), e.bias), globalBias);
  return tf.sum(tf.mul(tf.div(w, tf.mean(w)), tf.sub(tf.softplus(z), tf.mul(y, z))));
}

/** Per-sample rows of each table, in the order `trainMf` declares them. */
interface MfRows {
  user: tf.Tensor2D;
  item: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * Implicit-feedback matrix factorisation (see `mfLoss`) trained by autograd and row-sparse Adagrad
 * (`rowAdagradStep`) on whichever tfjs backend is active — cpu, wasm or webgpu alike. Every step
 * runs inside `tf.tidy`; parameters are read back asynchronously (webgpu has no cheap sync read).
 */
export async function trainMf(pairs: TrainingPairs, o: MfOptions): Promise<MfResult> {
  enableAutograd();
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
  const extra = Math.round(o.randomNegatives * batchSize);
  const cap = batchSize + extra;
  const [U0, V0, b0] = [
    tf.tensor2d(o.init?.user ?? normalArray(rng, nUsers * dims, 0.1), [nUsers, dims]),
    tf.tensor2d(o.init?.item ?? normalArray(rng, nItems * dims, 0.1), [nItems, dims]),
    tf.tensor1d(o.init?.bias ?? new Float32Array(nItems)),
  ];
  const user = rowTable('user', U0, cap, o.l2);
  const item = rowTable('item', V0, cap, o.l2);
  // The bias is looked up by the item id: the same ids as the item table.
  const bias = { ...rowTable('bias', b0, 0), ids: item.ids };
  const tables = [user, item, bias];
  for (const t of [U0, V0, b0]) t.dispose();
  const lossSum = tf.tidy(() => tf.variable(tf.scalar(0)));
  const losses: number[] = [];
  const yBuf = new Float32Array(cap);
  const wBuf = new Float32Array(cap);
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
          user.ids[m] = pairs.user[s]!;
          item.ids[m] = pairs.item[s]!;
          yBuf[m] = pairs.y[s]!;
          wBuf[m] = pairs.w[s]!;
          if (yBuf[m]! > 0) positives++;
          m++;
        }
        // Random items as negatives for users of this batch: cheap implicit negatives that keep
        // never-shown items from floating to the top of everyone's list.
        const want = Math.min(extra, Math.round(o.randomNegatives * positives));
        for (let r = 0; r < want; r++) {
          user.ids[m] = user.ids[Math.floor(rng.next() * (end - start))]!;
          item.ids[m] = Math.floor(rng.next() * nItems);
          yBuf[m] = 0;
          wBuf[m] = 1;
          m++;
        }
        // The loss is only for the report: accumulate it on every 8th batch, on the device.
        const measure = batches % 8 === 0;
        const size = m;
        tf.tidy(() => {
          const y = tf.tensor1d(yBuf.subarray(0, size));
          const w = tf.tensor1d(wBuf.subarray(0, size));
          rowAdagradStep(tables, size, ([u, i, b]) => {
            const loss = mfLoss({ user: u as tf.Tensor2D, item: i as tf.Tensor2D, bias: b as tf.Tensor1D }, y, w, globalBias);
            if (measure) lossSum.assign(tf.add(lossSum, tf.div(loss, size)));
            return loss;
          }, o.learningRate);
        });
        samples += m;
        if (measure) measured++;
        batches++;
      }
      const loss = measured > 0 ? (await lossSum.data())[0]! / measured : 0;
      losses.push(loss);
      o.onEpoch?.(epoch, loss);
    }
    const [u, v, b] = await Promise.all([user.param.data(), item.param.data(), bias.param.data()]);
    const seconds = (performance.now() - t0) / 1000;
    return {
      params: { dims, user: u as Float32Array, item: v as Float32Array, bias: b as Float32Array, globalBias },
      samples,
      seconds,
      samplesPerSecond: seconds > 0 ? samples / seconds : 0,
      losses,
    };
  } finally {
    for (const t of tables) disposeTable(t);
    lossSum.dispose();
  }
}
