import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { TrainingPairs } from '../../gpu-batch/dataset/read-dataset.js';
import { selectBackend } from '../../gpu-batch/train/backend.js';
import { fillColdItems } from '../../gpu-batch/train/cold-items.js';
import { contentFeatures, CONTENT_BUCKETS } from '../../gpu-batch/train/content-features.js';
import { trainingRng } from '../../gpu-batch/train/init.js';
import { choleskySolve } from '../../gpu-batch/train/linalg.js';
import { trainMf, type MfParams } from '../../gpu-batch/train/mf-model.js';
import { topKForUsers } from '../../gpu-batch/train/top-k.js';

/** Two user groups; group g clicks items of block g (rows g*10 … g*10+9) and ignores the other. */
function blockWorld(): TrainingPairs {
  const rng = trainingRng(9, 0);
  const user: number[] = [], item: number[] = [], y: number[] = [], w: number[] = [];
  for (let u = 0; u < 40; u++) {
    for (let k = 0; k < 12; k++) {
      const i = Math.floor(rng.next() * 20);
      user.push(u);
      item.push(i);
      y.push(Math.floor(i / 10) === u % 2 ? 1 : 0);
      w.push(1);
    }
  }
  return { user: Int32Array.from(user), item: Int32Array.from(item), y: Float32Array.from(y), w: Float32Array.from(w), positives: 0, keepNegatives: 1 };
}

const opts = { nUsers: 40, nItems: 20, dims: 4, epochs: 30, batchSize: 64, learningRate: 0.2, l2: 0.001, randomNegatives: 0, seed: 1 };

describe('logistic MF trained by autograd', () => {
  it('learns the planted blocks and lowers the loss (wasm)', async () => {
    await selectBackend('wasm');
    const tensorsBefore = tf.memory().numTensors;
    const r = await trainMf(blockWorld(), opts);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! * 0.5);
    const top = await topKForUsers(r.params, Int32Array.from({ length: 40 }, (_, u) => u), 5);
    let right = 0;
    for (let u = 0; u < 40; u++) for (let j = 0; j < 5; j++) if (Math.floor(top.items[u * 5 + j]! / 10) === u % 2) right++;
    expect(right / 200).toBeGreaterThan(0.95);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('wasm and cpu agree (the wasm scatter sums duplicate rows like cpu)', async () => {
    const short = { ...opts, epochs: 3 };
    await selectBackend('wasm');
    const a = (await trainMf(blockWorld(), short)).params;
    await selectBackend('cpu');
    const b = (await trainMf(blockWorld(), short)).params;
    await selectBackend('wasm');
    const maxDiff = (x: Float32Array, y: Float32Array) => Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
    expect(maxDiff(a.user, b.user)).toBeLessThan(1e-4);
    expect(maxDiff(a.item, b.item)).toBeLessThan(1e-4);
    expect(maxDiff(a.bias, b.bias)).toBeLessThan(1e-4);
  });

  it('an explicit backend that cannot run is a usage error', async () => {
    await expect(selectBackend('tfjs-node')).rejects.toThrow(/--backend tfjs-node: /);
    const auto = await selectBackend('auto');
    expect(['wasm', 'tensorflow']).toContain(auto.backend);
    expect(auto.skipped.length).toBeGreaterThan(0);
  });
});

describe('content features', () => {
  const item = (id: string, title: string, tags: string[] = []) => ({ id, title, text: '', tags, created_at: '2026-01-01T00:00:00Z' });

  it('leave out tokens of one item only: they tell nothing about any other item', () => {
    // Titles that differ by their numbers alone read the same; an item with nothing shared is blank.
    const x = contentFeatures([item('a', 'red kettle #1041', ['kitchen']), item('b', 'red kettle #2213', ['kitchen']), item('c', 'blue mug #77', ['camping'])]);
    const row = (r: number) => [...x.subarray(r * CONTENT_BUCKETS, (r + 1) * CONTENT_BUCKETS)];
    expect(row(0)).toEqual(row(1));
    expect(row(0).some((v) => v !== 0)).toBe(true);
    expect(row(2).every((v) => v === 0)).toBe(true);
  });

  it('keep a token once a second item has it', () => {
    const x = contentFeatures([item('a', 'red kettle'), item('b', 'blue mug'), item('c', 'blue kettle')]);
    const dot = (r: number, q: number) => x.subarray(r * CONTENT_BUCKETS, (r + 1) * CONTENT_BUCKETS).reduce((s, v, j) => s + v * x[q * CONTENT_BUCKETS + j]!, 0);
    // "red" and "mug" are one item's each: a is "kettle", b is "blue", c both.
    expect(dot(0, 1)).toBeCloseTo(0, 6);
    expect(dot(0, 2)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(dot(1, 2)).toBeCloseTo(Math.SQRT1_2, 6);
  });
});

describe('cold items', () => {
  const items = ['red', 'red', 'blue', 'blue', 'red'].map((tag, i) => ({ id: `i${i}`, title: `a ${tag} thing`, text: '', tags: [tag], created_at: '2026-01-01T00:00:00Z' }));

  it('get a vector near warm items with the same content', () => {
    const x = contentFeatures(items);
    const params: MfParams = { dims: 2, user: new Float32Array(0), item: new Float32Array([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, 0, 0]), bias: new Float32Array([0.5, 0.4, -0.5, -0.4, 0]), globalBias: 0 };
    expect(fillColdItems(params, x, CONTENT_BUCKETS, [true, true, true, true, false], { alpha: 0.1, seed: 1 })).toBe(1);
    expect(params.item[8]!).toBeGreaterThan(params.item[9]! + 0.3);
    expect(params.bias[4]!).toBeGreaterThan(0);
  });

  it('in bootstrap, similar texts get similar vectors', () => {
    const x = contentFeatures(items);
    const params: MfParams = { dims: 32, user: new Float32Array(0), item: new Float32Array(160), bias: new Float32Array(5), globalBias: 0 };
    fillColdItems(params, x, CONTENT_BUCKETS, new Array(5).fill(false), { seed: 1 });
    const cos = (a: number, b: number) => {
      let s = 0, na = 0, nb = 0;
      for (let c = 0; c < 32; c++) {
        const x = params.item[a * 32 + c]!, z = params.item[b * 32 + c]!;
        s += x * z;
        na += x ** 2;
        nb += z ** 2;
      }
      return s / Math.sqrt(na * nb);
    };
    expect(cos(0, 4)).toBeCloseTo(1, 6);
    expect(cos(0, 1)).toBeCloseTo(1, 6);
    expect(cos(0, 2)).toBeLessThan(0.7);
  });
});

describe('choleskySolve', () => {
  it('solves a symmetric positive-definite system', () => {
    const x = choleskySolve(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1, 1, 4]), 2, 2);
    // X = A⁻¹B with A⁻¹ = 1/8 [3 −2; −2 4]: columns [0.5, 0] and [−0.625, 1.75].
    expect([...x].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.5, -0.625, 0, 1.75]);
  });
  it('refuses a matrix that is not positive definite', () => {
    expect(() => choleskySolve(new Float64Array([1, 2, 2, 1]), new Float64Array([1, 1]), 2, 1)).toThrow('matrix is not positive definite at row 1');
  });
});

describe('fine-tuning', () => {
  it.each(['cpu', 'wasm'] as const)('leaves the initial parameters untouched (%s)', async (b) => {
    await selectBackend(b);
    const first = (await trainMf(blockWorld(), { ...opts, epochs: 2 })).params;
    const copy = { user: first.user.slice(), item: first.item.slice(), bias: first.bias.slice() };
    const tuned = (await trainMf(blockWorld(), { ...opts, epochs: 1, init: first })).params;
    expect(first.user).toEqual(copy.user);
    expect(first.item).toEqual(copy.item);
    expect(first.bias).toEqual(copy.bias);
    expect(tuned.user).not.toEqual(copy.user);
    await selectBackend('wasm');
  });
});
