import * as tf from '@tensorflow/tfjs-core';
import type { MfParams } from './mf-model.js';

/** Top-k item rows and scores per user, row-major users × k. */
export interface TopK {
  k: number;
  items: Int32Array;
  scores: Float32Array;
}

/**
 * Ranks every item for each given user by the model score U_u·V_i + b_i + b₀ and keeps the best
 * k, a chunk of users at a time so the score matrix stays small (chunk × items floats).
 * @param users user rows to rank for
 * @param k at most the number of items
 */
export function topKForUsers(params: MfParams, users: ArrayLike<number>, k: number, chunk = 1024): TopK {
  const d = params.dims;
  const nItems = params.bias.length;
  const kk = Math.min(k, nItems);
  const items = new Int32Array(users.length * kk);
  const scores = new Float32Array(users.length * kk);
  const V = tf.tensor2d(params.item, [nItems, d]);
  const b = tf.tidy(() => tf.add(tf.tensor1d(params.bias), params.globalBias));
  try {
    for (let s = 0; s < users.length; s += chunk) {
      const e = Math.min(users.length, s + chunk);
      const rows = new Float32Array((e - s) * d);
      for (let j = s; j < e; j++) rows.set(params.user.subarray(users[j]! * d, users[j]! * d + d), (j - s) * d);
      const [vals, idx] = tf.tidy(() => {
        const t = tf.topk(tf.add(tf.matMul(tf.tensor2d(rows, [e - s, d]), V, false, true), b), kk);
        return [t.values.dataSync() as Float32Array, t.indices.dataSync() as Int32Array];
      });
      items.set(idx, s * kk);
      scores.set(vals, s * kk);
    }
  } finally {
    V.dispose();
    b.dispose();
  }
  return { k: kk, items, scores };
}
