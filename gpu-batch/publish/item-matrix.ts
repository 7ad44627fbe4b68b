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
