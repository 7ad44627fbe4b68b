import * as tf from '@tensorflow/tfjs-core';

/** What the wasm and cpu backends keep per buffer (their classes are not exported as types). */
interface HostBuffer {
  refCount: number;
  values?: unknown;
}
interface HostBackend {
  dataIdMap?: { get(id: object): HostBuffer | undefined };
  data?: { get(id: object): HostBuffer | undefined };
  typedArrayFromHeap?(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Writes `values` (rows.length rows, in order) into rows `rows` of `v`.
 *
 * On backends whose tensors live in host memory (wasm's heap, cpu's typed arrays) the rows are
 * written in place: `tensorScatterUpdate` would copy the whole table to change a batch's rows — for
 * 100k users × 32 dims, 25 MB of copying per table per step to write a few hundred kB. Only a
 * buffer the variable alone holds (refCount 1) is written in place; otherwise, and on GPU backends
 * (where the copy runs at device bandwidth), it is `v.assign(tensorScatterUpdate(…))`.
 * Call inside `tf.tidy`.
 * @param idx the same rows as a [n, 1] int32 tensor, for the fallback
 */
export function writeRows(v: tf.Variable, rows: Int32Array, idx: tf.Tensor2D, values: tf.Tensor): void {
  const name = tf.getBackend();
  const backend = tf.backend() as unknown as HostBackend;
  const buffer = name === 'wasm' ? backend.dataIdMap?.get(v.dataId) : name === 'cpu' ? backend.data?.get(v.dataId) : undefined;
  if (!buffer || buffer.refCount !== 1 || v.dtype !== 'float32') {
    v.assign(tf.tensorScatterUpdate(v, idx, values));
    return;
  }
  // Read first: on wasm a read may grow the heap, which detaches views taken before it.
  const src = values.dataSync() as Float32Array;
  const dst = name === 'wasm' ? (backend.typedArrayFromHeap!(v) as Float32Array) : (buffer.values as Float32Array);
  const width = tf.util.sizeFromShape(v.shape.slice(1));
  for (let j = 0; j < rows.length; j++) dst.set(src.subarray(j * width, (j + 1) * width), rows[j]! * width);
}
