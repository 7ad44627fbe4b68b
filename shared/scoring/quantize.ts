/**
 * Symmetric per-row int8 quantisation of an item matrix: row r is stored as q[r] ∈ [−127, 127]^d
 * with scale s[r] = max|x[r]| / 127, so x ≈ q · s and |x − q·s| ≤ s/2 per coordinate.
 * Per-row (not per-matrix) scales keep rare items with small vectors from collapsing to zero.
 */
export interface QuantizedMatrix {
  q: Int8Array;
  scale: Float32Array;
}

/**
 * @param x row-major n × dims float32
 * @param dims columns per row
 * @returns int8 codes and one float32 scale per row
 * @throws RangeError when x.length is not a multiple of dims or a value is not finite
 */
export function quantizeRows(x: Float32Array, dims: number): QuantizedMatrix {
  if (!Number.isInteger(dims) || dims <= 0 || x.length % dims !== 0) throw new RangeError(`matrix of ${x.length} values is not rows of ${dims}`);
  const n = x.length / dims;
  const q = new Int8Array(x.length);
  const scale = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let m = 0;
    for (let c = 0; c < dims; c++) {
      const v = x[r * dims + c]!;
      if (!Number.isFinite(v)) throw new RangeError(`value at row ${r} column ${c} is not finite`);
      m = Math.max(m, Math.abs(v));
    }
    const s = m / 127;
    scale[r] = s;
    if (s === 0) continue;
    for (let c = 0; c < dims; c++) q[r * dims + c] = Math.round(x[r * dims + c]! / s);
  }
  return { q, scale };
}

/** @returns the float32 matrix the int8 codes stand for (q · scale per row) */
export function dequantizeRows(m: QuantizedMatrix, dims: number): Float32Array {
  const out = new Float32Array(m.q.length);
  for (let i = 0; i < m.q.length; i++) out[i] = m.q[i]! * m.scale[Math.floor(i / dims)]!;
  return out;
}
