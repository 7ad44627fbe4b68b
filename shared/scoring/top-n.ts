/**
 * Plain-TypeScript reference of the WASM scorer (shared/scoring/kernel/scorer.ts): top-N rows of an
 * item matrix by dot product with a query. It reproduces the kernel's arithmetic bit for bit, so
 * tests can demand identical output, and it is the baseline the benchmark compares against.
 *
 * Contract (shared with the kernel):
 * - f32: lane l ∈ 0..3 sums fround(q[i]·x[i]) for i ≡ l (mod 4) over the first dims − dims%4
 *   columns in increasing i, starting from +0, each addition rounded to float32; the row score is
 *   (l0 + l2) + (l1 + l3); the last dims%4 products are then added in increasing i. This is the
 *   order of 4-wide SIMD lanes, and float addition is not associative, so the order is the spec.
 * - i8: the query is quantised to int16 by {@link quantizeQuery}; dot = Σ q16[i]·x8[i] is exact;
 *   score = fround(fround(dot) × fround(scale[row] × qscale)).
 * - Ranking: higher score first; on equal scores the lower row index first. Rows scoring NaN or
 *   −∞ and excluded rows are never returned, so fewer than n rows may come back.
 */

/** Largest N a query may ask for (the kernel's heap and output regions are sized for it). */
export const TOP_N_MAX = 500;

/** Largest int8 row width whose int32 dot cannot overflow: 512 × 128 × 32767 < 2^31. */
export const I8_DIMS_MAX = 512;

/** Largest magnitude of a quantised query coordinate. */
const Q16_MAX = 32767;

/** Rows of a top-N query, best first. */
export interface TopN {
  indices: Uint32Array;
  scores: Float32Array;
}

/** A query quantised for the int8 kernel: query ≈ q × scale. */
export interface QuantizedQuery {
  q: Int16Array;
  scale: number;
}

const f = Math.fround;

/**
 * Symmetric int16 quantisation of a query: scale = fround(max|x| / 32767), q = round(x / scale).
 * int16 (not int8) keeps the query's own error ~1/65534 of its largest coordinate, negligible
 * beside the item matrix's int8 error, while the SIMD dot still runs on i16 lanes.
 * @throws RangeError on a non-finite coordinate
 */
export function quantizeQuery(query: Float32Array): QuantizedQuery {
  let m = 0;
  for (let i = 0; i < query.length; i++) {
    const v = query[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`query coordinate ${i} is not finite`);
    m = Math.max(m, Math.abs(v));
  }
  const scale = f(m / Q16_MAX);
  const q = new Int16Array(query.length);
  if (scale === 0) return { q, scale };
  for (let i = 0; i < query.length; i++) q[i] = Math.max(-Q16_MAX, Math.min(Q16_MAX, Math.round(query[i]! / scale)));
  return { q, scale };
}

/**
 * Checks the arguments every top-N query shares.
 * @throws RangeError with the offending value
 */
export function checkTopNArgs(rows: number, dims: number, queryLength: number, n: number): void {
  if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`dims must be a positive integer, got ${dims}`);
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  if (queryLength !== dims) throw new RangeError(`query has ${queryLength} values, expected ${dims}`);
  if (!Number.isInteger(n) || n < 0 || n > TOP_N_MAX) throw new RangeError(`n must be an integer in [0, ${TOP_N_MAX}], got ${n}`);
}

/** Score of row r of an f32 matrix, in the kernel's summation order. */
export function scoreRowF32(matrix: Float32Array, dims: number, r: number, query: Float32Array): number {
  const o = r * dims;
  const d4 = dims & ~3;
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0;
  for (let i = 0; i < d4; i += 4) {
    l0 = f(l0 + f(query[i]! * matrix[o + i]!));
    l1 = f(l1 + f(query[i + 1]! * matrix[o + i + 1]!));
    l2 = f(l2 + f(query[i + 2]! * matrix[o + i + 2]!));
    l3 = f(l3 + f(query[i + 3]! * matrix[o + i + 3]!));
  }
  let s = f(f(l0 + l2) + f(l1 + l3));
  for (let i = d4; i < dims; i++) s = f(s + f(query[i]! * matrix[o + i]!));
  return s;
}

/** Score of row r of an int8 matrix against a quantised query, as the kernel computes it. */
export function scoreRowI8(q: Int8Array, scale: Float32Array, dims: number, r: number, query: QuantizedQuery): number {
  const o = r * dims;
  let dot = 0;
  for (let i = 0; i < dims; i++) dot += query.q[i]! * q[o + i]!;
  return f(f(dot) * f(scale[r]! * query.scale));
}

/**
 * Top-n rows of a float32 matrix by dot(query, row).
 * @param matrix row-major rows × dims @param exclude row indices never to return
 * @example topNF32(items, 64, query, 10).indices // 10 best rows, best first
 */
export function topNF32(matrix: Float32Array, dims: number, query: Float32Array, n: number, exclude: Iterable<number> = []): TopN {
  const rows = matrix.length / dims;
  checkTopNArgs(rows, dims, query.length, n);
  return select(rows, n, exclude, (r) => scoreRowF32(matrix, dims, r, query));
}

/**
 * Top-n rows of an int8 matrix with per-row scales (row ≈ q × scale) by the kernel's int8 score.
 * @throws RangeError when dims > {@link I8_DIMS_MAX} or scales do not match the rows
 */
export function topNI8(q: Int8Array, scale: Float32Array, dims: number, query: Float32Array, n: number, exclude: Iterable<number> = []): TopN {
  const rows = q.length / dims;
  checkTopNArgs(rows, dims, query.length, n);
  if (dims > I8_DIMS_MAX) throw new RangeError(`int8 rows must have at most ${I8_DIMS_MAX} dims, got ${dims}`);
  if (scale.length !== rows) throw new RangeError(`${scale.length} scales for ${rows} rows`);
  const qq = quantizeQuery(query);
  return select(rows, n, exclude, (r) => scoreRowI8(q, scale, dims, r, qq));
}

/**
 * Mean of some rows of an f32 matrix, the wasm step's query from a user's recent items:
 * m[i] = fround(Σ_r x[r][i] / |rows|), summed in float64 in the order given.
 * @throws RangeError when rows is empty or holds an index outside the matrix
 */
export function meanOfRowsF32(matrix: Float32Array, dims: number, rows: readonly number[]): Float32Array {
  return meanOf(matrix.length / dims, dims, rows, (o) => matrix[o]!);
}

/** {@link meanOfRowsF32} of an int8 matrix's dequantised rows, fround(q × scale) as dequantizeRows gives. */
export function meanOfRowsI8(q: Int8Array, scale: Float32Array, dims: number, rows: readonly number[]): Float32Array {
  return meanOf(q.length / dims, dims, rows, (o) => f(q[o]! * scale[Math.floor(o / dims)]!));
}

function meanOf(n: number, dims: number, rows: readonly number[], at: (offset: number) => number): Float32Array {
  if (rows.length === 0) throw new RangeError('no rows to average');
  const sum = new Float64Array(dims);
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`row ${r} is not in [0, ${n})`);
    for (let i = 0; i < dims; i++) sum[i]! += at(r * dims + i);
  }
  return Float32Array.from(sum, (v) => v / rows.length);
}

/**
 * Scans rows in increasing index keeping the best n in a min-heap whose root is the worst kept
 * row. A row enters only with a strictly greater score than the root, which is the tie rule:
 * an equal score arrives later, so it has the higher index and loses.
 */
function select(rows: number, n: number, exclude: Iterable<number>, score: (r: number) => number): TopN {
  const skip = new Set<number>();
  for (const e of exclude) {
    if (!Number.isInteger(e) || e < 0 || e >= rows) throw new RangeError(`excluded row ${e} is not in [0, ${rows})`);
    skip.add(e);
  }
  const hs = new Float32Array(n);
  const hi = new Uint32Array(n);
  let size = 0;
  let thr = -Infinity;
  for (let r = 0; r < rows; r++) {
    const s = score(r);
    if (!(s > thr) || skip.has(r)) continue;
    if (size < n) siftUp(hs, hi, size++, s, r);
    else siftDown(hs, hi, size, 0, s, r);
    thr = size < n ? -Infinity : hs[0]!;
  }
  const order = Array.from({ length: size }, (_, k) => k).sort((a, b) => (worse(hs[a]!, hi[a]!, hs[b]!, hi[b]!) ? 1 : -1));
  return { indices: Uint32Array.from(order, (k) => hi[k]!), scores: Float32Array.from(order, (k) => hs[k]!) };
}

function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

function siftUp(hs: Float32Array, hi: Uint32Array, pos: number, s: number, idx: number): void {
  while (pos > 0) {
    const p = (pos - 1) >> 1;
    if (!worse(s, idx, hs[p]!, hi[p]!)) break;
    hs[pos] = hs[p]!;
    hi[pos] = hi[p]!;
    pos = p;
  }
  hs[pos] = s;
  hi[pos] = idx;
}

function siftDown(hs: Float32Array, hi: Uint32Array, size: number, pos: number, s: number, idx: number): void {
  for (;;) {
    let c = 2 * pos + 1;
    if (c >= size) break;
    if (c + 1 < size && worse(hs[c + 1]!, hi[c + 1]!, hs[c]!, hi[c]!)) c++;
    if (!worse(hs[c]!, hi[c]!, s, idx)) break;
    hs[pos] = hs[c]!;
    hi[pos] = hi[c]!;
    pos = c;
  }
  hs[pos] = s;
  hi[pos] = idx;
}
