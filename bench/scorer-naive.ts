/**
 * The most direct plain-TypeScript scorer, as a second baseline: float64 accumulation (no
 * per-operation float32 rounding, so not bit-identical to the kernel) and a 4-way unrolled row
 * loop. The benchmark reports the speedup against whichever plain-TS scorer is faster, so the
 * reference's bit-exactness is not what the WASM kernel is credited with.
 */
import type { TopN } from '../shared/scoring/top-n.js';

/** Top-n rows of row-major `x` (f32, or int8 with per-row `scale`) by dot with `query`; dims % 4 == 0. */
export function naiveTopN(x: Float32Array | Int8Array, scale: Float32Array | null, dims: number, query: Float32Array, n: number, exclude: readonly number[]): TopN {
  const rows = x.length / dims;
  const skip = new Set(exclude);
  const hs = new Float64Array(n);
  const hi = new Int32Array(n);
  let size = 0;
  let thr = -Infinity;
  for (let r = 0, o = 0; r < rows; r++, o += dims) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < dims; i += 4) {
      s0 += query[i]! * x[o + i]!;
      s1 += query[i + 1]! * x[o + i + 1]!;
      s2 += query[i + 2]! * x[o + i + 2]!;
      s3 += query[i + 3]! * x[o + i + 3]!;
    }
    let s = s0 + s1 + s2 + s3;
    if (scale) s *= scale[r]!;
    if (!(s > thr) || skip.has(r)) continue;
    // min-heap of the n best, root = worst; the strict > above keeps lower indices on ties
    let pos: number;
    if (size < n) {
      pos = size++;
      while (pos > 0 && hs[(pos - 1) >> 1]! > s) {
        const p = (pos - 1) >> 1;
        hs[pos] = hs[p]!;
        hi[pos] = hi[p]!;
        pos = p;
      }
    } else {
      pos = 0;
      for (;;) {
        let c = 2 * pos + 1;
        if (c >= size) break;
        if (c + 1 < size && hs[c + 1]! < hs[c]!) c++;
        if (hs[c]! >= s) break;
        hs[pos] = hs[c]!;
        hi[pos] = hi[c]!;
        pos = c;
      }
    }
    hs[pos] = s;
    hi[pos] = r;
    thr = size < n ? -Infinity : hs[0]!;
  }
  const order = Array.from({ length: size }, (_, k) => k).sort((a, b) => hs[b]! - hs[a]! || hi[a]! - hi[b]!);
  return { indices: Uint32Array.from(order, (k) => hi[k]!), scores: Float32Array.from(order, (k) => hs[k]!) };
}
