import { quantizeRows } from '../../shared/scoring/quantize.js';

/**
 * Little-endian bytes of a float32 array. Typed arrays use the platform's byte order, so this
 * writes through a DataView on a big-endian host and copies directly otherwise.
 */
export function float32LE(x: Float32Array): Uint8Array {
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (littleEndian) return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  const out = new Uint8Array(x.length * 4);
  const view = new DataView(out.buffer);
  x.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** The edge scorer's matrices: `items.f32`, and `items.i8` with per-row `items.scale.f32`. */
export function itemMatrixFiles(vectors: Float32Array, dims: number): Record<'items.f32' | 'items.i8' | 'items.scale.f32', Uint8Array> {
  const q = quantizeRows(vectors, dims);
  return {
    'items.f32': float32LE(vectors),
    'items.i8': new Uint8Array(q.q.buffer.slice(q.q.byteOffset, q.q.byteOffset + q.q.byteLength)),
    'items.scale.f32': float32LE(q.scale),
  };
}

/**
 * Item vectors with each item's base-appeal logit appended as a last column, divided by a scale
 * that brings it to the size of the vectors' entries (the median |logit| over the median row
 * maximum), so int8 rows, quantised per row, keep the vector's precision: the wasm step then
 * scores base + weight · taste in one dot product (`recentQuery`).
 * @returns the (dims + 1)-wide matrix and the scale (`items.json`'s `recent.base_scale`)
 */
export function withBaseColumn(vectors: Float32Array, dims: number, baseLogit: ArrayLike<number>): { vectors: Float32Array; dims: number; baseScale: number } {
  const n = baseLogit.length;
  const rowMax = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) rowMax[i] = Math.max(rowMax[i]!, Math.abs(vectors[i * dims + j]!));
  const median = (x: Float64Array) => (x.length ? Float64Array.from(x).sort()[Math.floor(x.length / 2)]! : 0);
  const b = median(Float64Array.from(baseLogit, Math.abs));
  const v = median(rowMax);
  const baseScale = b > 0 && v > 0 ? Math.fround(b / v) : 1;
  const out = new Float32Array(n * (dims + 1));
  for (let i = 0; i < n; i++) {
    out.set(vectors.subarray(i * dims, (i + 1) * dims), i * (dims + 1));
    out[i * (dims + 1) + dims] = baseLogit[i]! / baseScale;
  }
  return { vectors: out, dims: dims + 1, baseScale };
}
