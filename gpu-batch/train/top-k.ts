import * as tf from '@tensorflow/tfjs-core';
import type { MfParams } from './mf-model.js';

/** Top-k item rows and scores per user, row-major users × k. */
export interface TopK {
  k: number;
  items: Int32Array;
  scores: Float32Array;
}

/** Users per block: the block's score matrix (block × items floats) stays small on every backend. */
const BLOCK = 1024;

/**
 * Candidate generation on the active backend: ranks every item for each given user by the model
 * score U_u·V_i + b_i + b₀ and keeps the best k, a block of users at a time.
 *
 * The user and item matrices go to the device once; each block gathers its user rows there, scores
 * them with one matMul and keeps the top k with `tf.topk`, so only users × k indices and scores
 * come back. Blocks are pipelined: the next block is queued before the previous one is read back
 * (asynchronously: the webgpu backend has no cheap synchronous read), so a GPU never waits on the
 * copy.
 * @param users user rows to rank for
 * @param k at most the number of items
 */
export async function topKForUsers(params: MfParams, users: ArrayLike<number>, k: number, block = BLOCK): Promise<TopK> {
  const d = params.dims;
  const nItems = params.bias.length;
  const nUsers = params.user.length / Math.max(1, d);
  const kk = Math.min(k, nItems);
  const items = new Int32Array(users.length * kk);
  const scores = new Float32Array(users.length * kk);
  if (users.length === 0 || kk === 0) return { k: kk, items, scores };
  for (let j = 0; j < users.length; j++) if (!(users[j]! >= 0 && users[j]! < nUsers)) throw new RangeError(`user row ${users[j]} is not in [0, ${nUsers})`);
  // Vᵀ once, up front: wasm's matMul with transposeB is 5–8× slower than on a transposed copy.
  const [U, Vt, b] = tf.tidy(() => [tf.tensor2d(params.user, [nUsers, d]), tf.transpose(tf.tensor2d(params.item, [nItems, d])), tf.add(tf.tensor1d(params.bias), params.globalBias)]);
  const launch = (s: number) => {
    const e = Math.min(users.length, s + block);
    const rows = Int32Array.from({ length: e - s }, (_, j) => users[s + j]!);
    return { s, top: tf.tidy(() => tf.topk(tf.add(tf.matMul(tf.gatherND(U!, tf.tensor2d(rows, [rows.length, 1], 'int32')), Vt!), b!), kk)) };
  };
  let next: ReturnType<typeof launch> | null = launch(0);
  try {
    while (next) {
      const cur: ReturnType<typeof launch> = next;
      next = cur.s + block < users.length ? launch(cur.s + block) : null;
      const [vals, idx] = await Promise.all([cur.top.values.data(), cur.top.indices.data()]);
      items.set(idx as Int32Array, cur.s * kk);
      scores.set(vals as Float32Array, cur.s * kk);
      cur.top.values.dispose();
      cur.top.indices.dispose();
    }
  } finally {
    if (next) tf.dispose([next.top.values, next.top.indices]);
    tf.dispose([U!, Vt!, b!]);
  }
  return { k: kk, items, scores };
}
