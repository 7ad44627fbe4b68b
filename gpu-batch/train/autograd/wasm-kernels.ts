import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The slice of the wasm backend these kernels use (its class is not exported as a type we can import cheaply). */
interface WasmBackendLike {
  typedArrayFromHeap(t: TensorInfo): Int32Array | Float32Array | Uint8Array;
}

/**
 * UnsortedSegmentSum for the wasm backend, which has none in tfjs 4.22: it is what the gradient of
 * `gather` produces, so without it no model that gathers embedding rows trains by autograd there.
 *
 * out[s, …] = Σ_{j: segmentIds[j] = s} x[j, …]. It is the wasm backend's own ScatterNd kernel (C++,
 * sums duplicate indices) with the segment ids read as [n, 1] indices — same buffer, no copy. The ids
 * are range-checked first: ScatterNd would write outside its output for an id ≥ numSegments, where
 * TensorFlow drops them; we refuse instead (the gradient of gather never produces one).
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const n = tf.util.sizeFromShape(segmentIds.shape);
  if (segmentIds.shape.some((d, i) => d !== x.shape[i])) throw new Error(`UnsortedSegmentSum (wasm): segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`);
  const ids = (backend as unknown as WasmBackendLike).typedArrayFromHeap(segmentIds);
  for (let j = 0; j < n; j++) {
    const s = ids[j]!;
    if (s < 0 || s >= numSegments) throw new RangeError(`UnsortedSegmentSum (wasm): segment id ${s} at ${j} is outside [0, ${numSegments})`);
  }
  const rest = x.shape.slice(segmentIds.shape.length);
  const scatter = tf.getKernel(tf.ScatterNd, 'wasm');
  if (!scatter) throw new Error('UnsortedSegmentSum (wasm): the wasm backend has no ScatterNd kernel');
  return scatter.kernelFunc({
    inputs: { indices: { dataId: segmentIds.dataId, shape: [n, 1], dtype: 'int32' }, updates: { dataId: x.dataId, shape: [n, ...rest], dtype: x.dtype } },
    attrs: { shape: [numSegments, ...rest] },
    backend,
  });
};

const WASM_KERNELS: KernelConfig[] = [{ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum }];

/** Registers the wasm kernels autograd needs, once, unless tfjs already has them. */
export function registerWasmKernels(): void {
  for (const k of WASM_KERNELS) if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
}
