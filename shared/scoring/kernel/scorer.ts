// @ts-nocheck -- AssemblyScript, compiled by `npm run build:wasm` (asc), not by tsc.
/**
 * SIMD scoring kernel: dot(query, row) for every row of an item matrix, keeping the best `cap`
 * rows in a min-heap, so only `cap` (index, score) pairs ever leave wasm.
 *
 * Memory is owned by the JS boundary (shared/scoring/wasm-scorer.ts): it lays out the matrix,
 * query, heap and output regions above `heapBase()` and passes raw pointers. The kernel never
 * allocates (runtime stub), so one instance serves every query of an isolate.
 *
 * Summation order is part of the contract, because the TypeScript reference
 * (shared/scoring/top-n.ts) reproduces it bit for bit:
 * - f32: lane l (0..3) accumulates q[i]·x[i] for i ≡ l (mod 4) over the first dims & ~3 columns,
 *   in increasing i, starting from +0; the row score is (l0 + l2) + (l1 + l3); then the
 *   remaining dims % 4 products are added one at a time in increasing i.
 * - i8: the integer dot Σ q16[i]·x8[i] is exact (int32, dims ≤ 512), then
 *   score = f32(dot) × f32(scale[row] × qscale).
 * Tie rule: higher score first; equal scores keep the lower row index. Rows scoring NaN or −∞ and
 * rows whose bit is set in the exclusion bitmap are never returned.
 *
 * Speed: the fast paths score 4 rows at a time (f32 when dims % 16 == 0, int8 when
 * dims % 32 == 0), compare the 4 scores with the heap's threshold in one SIMD op and only then
 * branch. Other widths take a one-row path with the same arithmetic (correct, a few × slower).
 * The int8 loop is bound by i32x4.dot_i16x8_s throughput (8 products per op; wasm SIMD has no
 * exact i8×i8 dot), which is why the query is int16 rather than int8: it costs nothing extra.
 */

/** First free byte above the kernel's own static data; the boundary lays memory out from here. */
export function heapBase(): usize {
  return __heap_base;
}

// ---- heap: root = worst kept row. Scores at `hs`, row indices at `hs + cap*4`. ----

/** a is worse than b: lower score, or equal score and higher index. */
function worse(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa < sb || (sa == sb && ia > ib);
}

function siftDown(hs: usize, hi: usize, size: i32, pos: i32, s: f32, idx: i32): void {
  while (true) {
    let c = 2 * pos + 1;
    if (c >= size) break;
    let cs = load<f32>(hs + (<usize>c << 2));
    let ci = load<i32>(hi + (<usize>c << 2));
    const r = c + 1;
    if (r < size) {
      const rs = load<f32>(hs + (<usize>r << 2));
      const ri = load<i32>(hi + (<usize>r << 2));
      if (worse(rs, ri, cs, ci)) { c = r; cs = rs; ci = ri; }
    }
    if (!worse(cs, ci, s, idx)) break;
    store<f32>(hs + (<usize>pos << 2), cs);
    store<i32>(hi + (<usize>pos << 2), ci);
    pos = c;
  }
  store<f32>(hs + (<usize>pos << 2), s);
  store<i32>(hi + (<usize>pos << 2), idx);
}

function siftUp(hs: usize, hi: usize, pos: i32, s: f32, idx: i32): void {
  while (pos > 0) {
    const p = (pos - 1) >> 1;
    const ps = load<f32>(hs + (<usize>p << 2));
    const pi = load<i32>(hi + (<usize>p << 2));
    if (!worse(s, idx, ps, pi)) break;
    store<f32>(hs + (<usize>pos << 2), ps);
    store<i32>(hi + (<usize>pos << 2), pi);
    pos = p;
  }
  store<f32>(hs + (<usize>pos << 2), s);
  store<i32>(hi + (<usize>pos << 2), idx);
}

// Heap state for the running query (a kernel call is never re-entered).
let gHs: usize = 0;
let gHi: usize = 0;
let gCap: i32 = 0;
let gSize: i32 = 0;
let gExcl: usize = 0;

/** @returns the new admission threshold: −∞ until the heap is full, then the root's score. */
function offer(s: f32, idx: i32): f32 {
  if ((load<u8>(gExcl + (<usize>idx >> 3)) >> (idx & 7)) & 1) return threshold();
  if (gSize < gCap) {
    siftUp(gHs, gHi, gSize, s, idx);
    gSize++;
  } else if (s > load<f32>(gHs)) {
    // Rows arrive in increasing index, so an equal score never displaces the root (tie rule).
    siftDown(gHs, gHi, gSize, 0, s, idx);
  }
  return threshold();
}

function threshold(): f32 {
  return gSize < gCap ? -Infinity : load<f32>(gHs);
}

/** Offers the lanes of 4 row scores that beat `thr`; rare once the heap is full. */
function offer4(sc: v128, row: i32, thr: f32): f32 {
  let s = f32x4.extract_lane(sc, 0);
  if (s > thr) thr = offer(s, row);
  s = f32x4.extract_lane(sc, 1);
  if (s > thr) thr = offer(s, row + 1);
  s = f32x4.extract_lane(sc, 2);
  if (s > thr) thr = offer(s, row + 2);
  s = f32x4.extract_lane(sc, 3);
  if (s > thr) thr = offer(s, row + 3);
  return thr;
}

/** Pops the heap into `out` (indices) and `out + cap*4` (scores), best first. @returns count */
function drain(out: usize): i32 {
  const count = gSize;
  const os = out + (<usize>gCap << 2);
  for (let k = count - 1; k >= 0; k--) {
    store<i32>(out + (<usize>k << 2), load<i32>(gHi));
    store<f32>(os + (<usize>k << 2), load<f32>(gHs));
    gSize--;
    if (gSize > 0) {
      const ls = load<f32>(gHs + (<usize>gSize << 2));
      const li = load<i32>(gHi + (<usize>gSize << 2));
      siftDown(gHs, gHi, gSize, 0, ls, li);
    }
  }
  return count;
}

function begin(heap: usize, cap: i32, excl: usize): void {
  gHs = heap;
  gHi = heap + (<usize>cap << 2);
  gCap = cap;
  gSize = 0;
  gExcl = excl;
}

/** Horizontal sums of 4 accumulators: lane r = (a_r.l0 + a_r.l2) + (a_r.l1 + a_r.l3). */
function hsum4f(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 1, 4, 5), v128.shuffle<f32>(a0, a1, 2, 3, 6, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 1, 4, 5), v128.shuffle<f32>(a2, a3, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 2, 4, 6), v128.shuffle<f32>(s01, s23, 1, 3, 5, 7));
}

function hsum4i(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = i32x4.add(v128.shuffle<i32>(a0, a1, 0, 1, 4, 5), v128.shuffle<i32>(a0, a1, 2, 3, 6, 7));
  const s23 = i32x4.add(v128.shuffle<i32>(a2, a3, 0, 1, 4, 5), v128.shuffle<i32>(a2, a3, 2, 3, 6, 7));
  return i32x4.add(v128.shuffle<i32>(s01, s23, 0, 2, 4, 6), v128.shuffle<i32>(s01, s23, 1, 3, 5, 7));
}

/** Score of one f32 row in the contract's order. */
function rowF32(p: usize, q: usize, dims: i32): f32 {
  const d4 = dims & ~3;
  let a = f32x4.splat(0);
  for (let i = 0; i < d4; i += 4) {
    const o = <usize>i << 2;
    a = f32x4.add(a, f32x4.mul(v128.load(q + o), v128.load(p + o)));
  }
  let s: f32 = (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 2)) + (f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 3));
  for (let i = d4; i < dims; i++) s += load<f32>(q + (<usize>i << 2)) * load<f32>(p + (<usize>i << 2));
  return s;
}

/**
 * Top-`cap` rows of an f32 matrix by dot product with an f32 query.
 * @param mat rows × dims f32, row-major @param q dims f32 @param excl bitmap, 1 bit per row
 * @param heap scratch of cap × 8 bytes @param out cap × 8 bytes: indices then scores
 * @returns rows written to `out`, best first
 */
export function topF32(mat: usize, rows: i32, dims: i32, q: usize, cap: i32, excl: usize, heap: usize, out: usize): i32 {
  begin(heap, cap, excl);
  const rb = <usize>dims << 2;
  let thr: f32 = -Infinity;
  let r = 0;
  if ((dims & 15) == 0) {
    for (; r + 4 <= rows; r += 4) {
      const p0 = mat + <usize>r * rb;
      const p1 = p0 + rb;
      const p2 = p1 + rb;
      const p3 = p2 + rb;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      // 16 columns per iteration with immediate offsets; each accumulator still takes its
      // 4-column chunks in increasing order, so the summation order is unchanged.
      for (let o: usize = 0; o < rb; o += 64) {
        const pq = q + o;
        let qv = v128.load(pq);
        a0 = f32x4.add(a0, f32x4.mul(qv, v128.load(p0 + o)));
        a1 = f32x4.add(a1, f32x4.mul(qv, v128.load(p1 + o)));
        a2 = f32x4.add(a2, f32x4.mul(qv, v128.load(p2 + o)));
        a3 = f32x4.add(a3, f32x4.mul(qv, v128.load(p3 + o)));
        qv = v128.load(pq, 16);
        a0 = f32x4.add(a0, f32x4.mul(qv, v128.load(p0 + o, 16)));
        a1 = f32x4.add(a1, f32x4.mul(qv, v128.load(p1 + o, 16)));
        a2 = f32x4.add(a2, f32x4.mul(qv, v128.load(p2 + o, 16)));
        a3 = f32x4.add(a3, f32x4.mul(qv, v128.load(p3 + o, 16)));
        qv = v128.load(pq, 32);
        a0 = f32x4.add(a0, f32x4.mul(qv, v128.load(p0 + o, 32)));
        a1 = f32x4.add(a1, f32x4.mul(qv, v128.load(p1 + o, 32)));
        a2 = f32x4.add(a2, f32x4.mul(qv, v128.load(p2 + o, 32)));
        a3 = f32x4.add(a3, f32x4.mul(qv, v128.load(p3 + o, 32)));
        qv = v128.load(pq, 48);
        a0 = f32x4.add(a0, f32x4.mul(qv, v128.load(p0 + o, 48)));
        a1 = f32x4.add(a1, f32x4.mul(qv, v128.load(p1 + o, 48)));
        a2 = f32x4.add(a2, f32x4.mul(qv, v128.load(p2 + o, 48)));
        a3 = f32x4.add(a3, f32x4.mul(qv, v128.load(p3 + o, 48)));
      }
      const sc = hsum4f(a0, a1, a2, a3);
      if (v128.any_true(f32x4.gt(sc, f32x4.splat(thr)))) thr = offer4(sc, r, thr);
    }
  }
  for (; r < rows; r++) {
    const s = rowF32(mat + <usize>r * rb, q, dims);
    if (s > thr) thr = offer(s, r);
  }
  return drain(out);
}

/** Exact integer dot of one int8 row with the int16 query. */
function rowI8(p: usize, q: usize, dims: i32): i32 {
  const d16 = dims & ~15;
  let a = i32x4.splat(0);
  for (let i = 0; i < d16; i += 16) {
    const qo = <usize>i << 1;
    a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(q + qo), v128.load8x8_s(p + <usize>i)));
    a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(q + qo + 16), v128.load8x8_s(p + <usize>i + 8)));
  }
  let s = i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1) + i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3);
  for (let i = d16; i < dims; i++) s += <i32>load<i16>(q + (<usize>i << 1)) * <i32>load<i8>(p + <usize>i);
  return s;
}

/**
 * Top-`cap` rows of an int8 matrix with per-row scales, by score = f32(dot) × f32(scale × qscale).
 * @param mat rows × dims int8 @param scales rows f32 @param q dims int16 (quantised query)
 * @param qscale the query's scale (query ≈ q × qscale), > 0
 * @returns rows written to `out`, best first
 */
export function topI8(mat: usize, scales: usize, rows: i32, dims: i32, q: usize, qscale: f32, cap: i32, excl: usize, heap: usize, out: usize): i32 {
  begin(heap, cap, excl);
  const rb = <usize>dims;
  const qs = f32x4.splat(qscale);
  let thr: f32 = -Infinity;
  let r = 0;
  if ((dims & 31) == 0) {
    for (; r + 4 <= rows; r += 4) {
      const p0 = mat + <usize>r * rb;
      const p1 = p0 + rb;
      const p2 = p1 + rb;
      const p3 = p2 + rb;
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
      // 32 columns per iteration with immediate offsets: the loop's bookkeeping (and V8's
      // per-iteration interrupt check) is paid once per 4 × 32 bytes instead of per 4 × 8.
      for (let o: usize = 0; o < rb; o += 32) {
        const pq = q + (o << 1);
        let qv = v128.load(pq);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p0 + o)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p1 + o)));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p2 + o)));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p3 + o)));
        qv = v128.load(pq, 16);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p0 + o, 8)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p1 + o, 8)));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p2 + o, 8)));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p3 + o, 8)));
        qv = v128.load(pq, 32);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p0 + o, 16)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p1 + o, 16)));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p2 + o, 16)));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p3 + o, 16)));
        qv = v128.load(pq, 48);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p0 + o, 24)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p1 + o, 24)));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p2 + o, 24)));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(qv, v128.load8x8_s(p3 + o, 24)));
      }
      const dot = f32x4.convert_i32x4_s(hsum4i(a0, a1, a2, a3));
      const sc = f32x4.mul(dot, f32x4.mul(v128.load(scales + (<usize>r << 2)), qs));
      if (v128.any_true(f32x4.gt(sc, f32x4.splat(thr)))) thr = offer4(sc, r, thr);
    }
  }
  for (; r < rows; r++) {
    const dot = <f32>rowI8(mat + <usize>r * rb, q, dims);
    const s = dot * (load<f32>(scales + (<usize>r << 2)) * qscale);
    if (s > thr) thr = offer(s, r);
  }
  return drain(out);
}

/**
 * Memory-read probe for the benchmark: streams `bytes` (a multiple of 64) from `p` with v128
 * loads and 4 independent adds, so the loop is bound by memory, not by a dependency chain.
 * @returns a checksum, so the loads cannot be optimised away
 */
export function readProbe(p: usize, bytes: usize): i32 {
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  const end = p + bytes;
  for (; p < end; p += 64) {
    a0 = i32x4.add(a0, v128.load(p));
    a1 = i32x4.add(a1, v128.load(p, 16));
    a2 = i32x4.add(a2, v128.load(p, 32));
    a3 = i32x4.add(a3, v128.load(p, 48));
  }
  const s = i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3));
  return i32x4.extract_lane(s, 0) ^ i32x4.extract_lane(s, 1) ^ i32x4.extract_lane(s, 2) ^ i32x4.extract_lane(s, 3);
}
