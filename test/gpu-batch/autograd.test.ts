import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../gpu-batch/train/backend.js';

/** Central finite difference of f at x, per coordinate, in float64 over a float32 f. */
async function numericGrad(f: (x: tf.Tensor) => tf.Scalar, x: Float32Array, shape: number[]): Promise<Float64Array> {
  const h = 1e-2;
  const g = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const at = (d: number) => {
      const y = Float32Array.from(x);
      y[j]! += d;
      return tf.tidy(() => f(tf.tensor(y, shape)).dataSync()[0]!);
    };
    g[j] = (at(h) - at(-h)) / (2 * h);
  }
  return g;
}

const x0 = Float32Array.from({ length: 12 }, (_, j) => Math.sin(j + 1) * 0.8);
const idx = [0, 2, 2, 1];

/** Each registered gradient, through an op that uses it; every case sums to a scalar. */
const CASES: Array<[string, (x: tf.Tensor) => tf.Scalar]> = [
  ['add/sub/mul/div with broadcasting', (x) => tf.sum(tf.div(tf.mul(tf.sub(tf.add(x, tf.tensor1d([1, 2, 3])), 0.5), x), tf.add(tf.square(x), 1)))],
  ['neg, exp, log, log1p', (x) => tf.sum(tf.add(tf.neg(tf.exp(x)), tf.log1p(tf.log(tf.add(tf.square(x), 2)))))],
  ['sigmoid, softplus', (x) => tf.sum(tf.mul(tf.sigmoid(x), tf.softplus(x)))],
  ['sum and mean over an axis, reshape', (x) => tf.sum(tf.square(tf.add(tf.sum(x, 1), tf.sum(tf.reshape(tf.mean(x, 0), [3, 1])))))],
  ['gather (UnsortedSegmentSum on wasm)', (x) => tf.sum(tf.square(tf.gather(x, tf.tensor1d(idx, 'int32'))))],
  ['gatherND (scatterND)', (x) => tf.sum(tf.mul(tf.gatherND(x, tf.tensor2d(idx, [4, 1], 'int32')), tf.tensor1d([1, -2, 3])))],
];

describe.each(['cpu', 'wasm'] as const)('autograd on %s', (backend) => {
  it.each(CASES)('%s matches finite differences', async (_, f) => {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    const x = tf.tensor(x0, [4, 3]);
    const g = tf.grad(f)(x);
    const got = await g.data();
    const want = await numericGrad(f, x0, [4, 3]);
    tf.dispose([x, g]);
    for (let j = 0; j < want.length; j++) expect(got[j]!).toBeCloseTo(want[j]!, 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('UnsortedSegmentSum registered for wasm', () => {
  it('sums rows into their segments like the cpu kernel', async () => {
    const x = Float32Array.from({ length: 10 }, (_, j) => j + 1);
    const run = () => tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [5, 2]), tf.tensor1d([3, 0, 3, 1, 0], 'int32'), 4).dataSync());
    await selectBackend('cpu');
    const cpu = run();
    await selectBackend('wasm');
    expect([...run()]).toEqual([...cpu]);
    expect([...cpu]).toEqual([3 + 9, 4 + 10, 7, 8, 0, 0, 1 + 5, 2 + 6]);
  });

  it('refuses a segment id outside [0, numSegments)', async () => {
    await selectBackend('wasm');
    expect(() => tf.tidy(() => tf.unsortedSegmentSum(tf.tensor1d([1, 2]), tf.tensor1d([0, 4], 'int32'), 4))).toThrow('segment id 4 at 1 is outside [0, 4)');
  });
});
