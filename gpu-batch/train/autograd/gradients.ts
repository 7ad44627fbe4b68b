import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/**
 * Gradients of the kernels the batch models are written with, registered with tfjs's global
 * gradient registry so `tf.grads`/`tf.variableGrads` work on every backend.
 *
 * Why our own: `@tensorflow/tfjs-core` keeps its gradient table in `dist/register_all_gradients.js`,
 * an ES-module file set that Node cannot load from that CommonJS package (extension-less and
 * directory imports), and the union package `@tensorflow/tfjs` that bundles it drags in layers,
 * converter, data and WebGL. A kernel that already has a gradient (e.g. someone installs
 * `@tensorflow/tfjs`) keeps it: we register only the missing ones. A model that needs a kernel not
 * listed here fails with tfjs's "gradient function not found for X" — add it here, with a case in
 * test/gpu-batch/autograd.test.ts (checked against finite differences).
 */
const GRADIENTS: GradConfig[] = [
  binary(tf.Add, (dy) => dy, (dy) => dy),
  binary(tf.Sub, (dy) => dy, (dy) => tf.neg(dy)),
  binary(tf.Multiply, (dy, a, b) => tf.mul(dy, b), (dy, a) => tf.mul(dy, a)),
  binary(tf.RealDiv, (dy, a, b) => tf.div(dy, b), (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))),
  unary(tf.Neg, (dy) => tf.neg(dy)),
  unary(tf.Square, (dy, x) => tf.mul(dy, tf.mul(x, 2))),
  unary(tf.Sigmoid, (dy, x) => {
    const s = tf.sigmoid(x);
    return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
  }),
  unary(tf.Softplus, (dy, x) => tf.mul(dy, tf.sigmoid(x))),
  unary(tf.Exp, (dy, x) => tf.mul(dy, tf.exp(x))),
  unary(tf.Log, (dy, x) => tf.div(dy, x)),
  unary(tf.Log1p, (dy, x) => tf.div(dy, tf.add(x, 1))),
  unary(tf.Reshape, (dy, x) => tf.reshape(dy, x.shape)),
  unary(tf.Cast, (dy) => dy),
  unary(tf.Identity, (dy) => dy),
  // Sum and Mean: the gradient is dy broadcast back over the reduced axes (÷ count for Mean).
  unary(tf.Sum, (dy, x, attrs) => spread(dy, x, attrs, false)),
  unary(tf.Mean, (dy, x, attrs) => spread(dy, x, attrs, true)),
  {
    // gather(params, indices) on axis 0: rows of dy summed back into the rows they came from.
    // UnsortedSegmentSum is the kernel the wasm backend lacks; kernels.ts registers it.
    kernelName: tf.GatherV2,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved as [Tensor, Tensor];
      const { axis, batchDims } = attrs as { axis: number; batchDims: number };
      if (tf.util.parseAxisParam(axis, x.shape)[0] !== 0 || batchDims !== 0) throw new Error('gather gradient: only axis 0 without batch dims is supported');
      const flat = tf.reshape(indices, [indices.size]);
      const rows = tf.reshape(dy as Tensor, [indices.size, ...x.shape.slice(1)]);
      return { x: () => tf.unsortedSegmentSum(rows, flat as tf.Tensor1D, x.shape[0]!), indices: () => tf.zerosLike(indices) };
    },
  },
  {
    // gatherND(params, indices): scatterND sums duplicate index rows, which is exactly the adjoint.
    kernelName: tf.GatherNd,
    inputsToSave: ['params', 'indices'],
    gradFunc: (dy, saved) => {
      const [params, indices] = saved as [Tensor, Tensor];
      return { params: () => tf.scatterND(indices, dy as Tensor, params.shape), indices: () => tf.zerosLike(indices) };
    },
  },
];

/** Gradient of an elementwise binary kernel; each side is summed over the axes it was broadcast on. */
function binary(kernelName: string, da: (dy: Tensor, a: Tensor, b: Tensor) => Tensor, db: (dy: Tensor, a: Tensor, b: Tensor) => Tensor): GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [Tensor, Tensor];
      const g = dy as Tensor;
      return { a: () => unbroadcast(da(g, a, b), a.shape), b: () => unbroadcast(db(g, a, b), b.shape) };
    },
  };
}

function unary(kernelName: string, dx: (dy: Tensor, x: Tensor, attrs: NamedAttrMap) => Tensor): GradConfig {
  return { kernelName, inputsToSave: ['x'], gradFunc: (dy, saved, attrs) => ({ x: () => dx(dy as Tensor, (saved as Tensor[])[0]!, attrs) }) };
}

function unbroadcast(g: Tensor, shape: number[]): Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

function spread(dy: Tensor, x: Tensor, attrs: NamedAttrMap, mean: boolean): Tensor {
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const g = tf.mul(tf.reshape(dy, kept), tf.onesLike(x));
  return mean ? tf.div(g, axes.reduce((n, a) => n * x.shape[a]!, 1)) : g;
}

let registered = false;

/** Registers the missing gradients once per process (the registry is tfjs's, global). */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const g of GRADIENTS) if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
}
