import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withBaseColumn } from '../../gpu-batch/publish/item-matrix.js';
import { recentQuery } from '../../shared/scoring/item-matrix.js';
import { dequantizeRows, quantizeRows } from '../../shared/scoring/quantize.js';
import { I8_DIMS_MAX, TOP_N_MAX, quantizeQuery, scoreRowF32, topNF32, topNI8 } from '../../shared/scoring/top-n.js';
import { randomMatrix, randomQuery } from '../support/scorer-data.js';

/** The reference itself: tie rule, exclusions, NaN, input checks. The kernel is checked against it elsewhere. */
describe('topNF32 (reference)', () => {
  it('ranks by dot product, best first, equal scores by lower index', () => {
    // rows 1 and 3 tie exactly; row 2 is best
    const m = Float32Array.from([0, 0, 1, 0, 2, 0, 1, 0]);
    const r = topNF32(m, 2, Float32Array.from([1, 5]), 4);
    expect([...r.indices]).toEqual([2, 1, 3, 0]);
    expect([...r.scores]).toEqual([2, 1, 1, 0]);
  });

  it('orders an all-tied matrix by index and skips excluded rows', () => {
    const r = topNF32(new Float32Array(40), 4, new Float32Array(4), 5, [0, 2]);
    expect([...r.indices]).toEqual([1, 3, 4, 5, 6]);
  });

  it('returns fewer rows when n exceeds what is left, never NaN or −∞ rows', () => {
    const m = Float32Array.from([1, NaN, -Infinity, 3]);
    const r = topNF32(m, 1, Float32Array.from([1]), 500, [3]);
    expect([...r.indices]).toEqual([0]);
  });

  it('sums in the documented lane order, within float32 rounding of the exact dot', () => {
    const dims = 67;
    const m = randomMatrix(50, dims, 9);
    const q = randomQuery(dims, 9);
    for (let r = 0; r < 50; r++) {
      let exact = 0;
      for (let i = 0; i < dims; i++) exact += q[i]! * m[r * dims + i]!;
      expect(Math.abs(scoreRowF32(m, dims, r, q) - exact)).toBeLessThan(dims * 2 ** -22);
    }
  });

  it('keeps the same top-n as a full sort of the reference scores', () => {
    const dims = 16;
    const m = randomMatrix(3000, dims, 10, { ties: true });
    const q = randomQuery(dims, 10, { ties: true });
    const all = Array.from({ length: 3000 }, (_, r) => ({ r, s: scoreRowF32(m, dims, r, q) })).sort((a, b) => b.s - a.s || a.r - b.r);
    const ties = all.slice(0, 200).filter((e, k) => k > 0 && e.s === all[k - 1]!.s).length;
    expect(ties).toBeGreaterThan(10); // the tie grid really produces ties
    expect([...topNF32(m, dims, q, 200).indices]).toEqual(all.slice(0, 200).map((e) => e.r));
  });

  const invalid: [string, () => unknown, string][] = [
    ['dims 0', () => topNF32(new Float32Array(4), 0, new Float32Array(0), 1), 'dims must be a positive integer, got 0'],
    ['ragged matrix', () => topNF32(new Float32Array(5), 2, new Float32Array(2), 1), 'rows must be a non-negative integer, got 2.5'],
    ['query length', () => topNF32(new Float32Array(4), 2, new Float32Array(3), 1), 'query has 3 values, expected 2'],
    ['n too big', () => topNF32(new Float32Array(4), 2, new Float32Array(2), TOP_N_MAX + 1), `n must be an integer in [0, ${TOP_N_MAX}], got 501`],
    ['n negative', () => topNF32(new Float32Array(4), 2, new Float32Array(2), -1), 'n must be an integer in [0, 500], got -1'],
    ['n fractional', () => topNF32(new Float32Array(4), 2, new Float32Array(2), 1.5), 'n must be an integer in [0, 500], got 1.5'],
    ['excluded row out of range', () => topNF32(new Float32Array(4), 2, new Float32Array(2), 1, [2]), 'excluded row 2 is not in [0, 2)'],
    ['i8 too wide', () => topNI8(new Int8Array(513), new Float32Array(1), 513, new Float32Array(513), 1), `int8 rows must have at most ${I8_DIMS_MAX} dims, got 513`],
    ['i8 scales', () => topNI8(new Int8Array(4), new Float32Array(1), 2, new Float32Array(2), 1), '1 scales for 2 rows'],
    ['i8 query not finite', () => topNI8(new Int8Array(2), new Float32Array(1), 2, Float32Array.from([1, NaN]), 1), 'query coordinate 1 is not finite'],
  ];
  it.each(invalid)('throws on %s', (_, call, message) => {
    expect(call).toThrow(new RangeError(message));
  });
});

describe('topNI8 (reference)', () => {
  it('quantises the query to int16 within half a step', () => {
    const q = randomQuery(64, 3);
    const qq = quantizeQuery(q);
    for (let i = 0; i < 64; i++) expect(Math.abs(qq.q[i]! * qq.scale - q[i]!)).toBeLessThanOrEqual(qq.scale / 2 + 1e-9);
    expect(Math.max(...qq.q.map(Math.abs))).toBe(32767);
    expect(quantizeQuery(new Float32Array(3))).toEqual({ q: new Int16Array(3), scale: 0 });
  });

  it('scores within quantisation error of the float scores and ranks like the dequantised matrix', () => {
    const dims = 64;
    const x = randomMatrix(2000, dims, 21);
    const q = randomQuery(dims, 21);
    const qm = quantizeRows(x, dims);
    const xhat = dequantizeRows(qm, dims);
    const got = topNI8(qm.q, qm.scale, dims, q, 100);
    const f64 = (m: Float32Array, r: number) => {
      let s = 0;
      for (let i = 0; i < dims; i++) s += q[i]! * m[r * dims + i]!;
      return s;
    };
    const order = Array.from({ length: 2000 }, (_, r) => r).sort((a, b) => f64(xhat, b) - f64(xhat, a) || a - b);
    expect([...got.indices]).toEqual(order.slice(0, 100));
    const qAbs = q.reduce((a, v) => a + Math.abs(v), 0);
    got.indices.forEach((r, k) => {
      expect(Math.abs(got.scores[k]! - f64(x, r))).toBeLessThanOrEqual((qAbs * qm.scale[r]!) / 2 + 1e-3);
    });
  });
});

/** The base-appeal column of trained matrices and the query the wasm step builds over it. */
describe('withBaseColumn + recentQuery', () => {
  it('scores base + weight · ⟨mean, v⟩ in one dot product, the int8 rows within rounding of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 24 }), fc.double({ min: 0, max: 3, noNaN: true }), (seed, n, dims, weight) => {
        const v = randomMatrix(n, dims, seed);
        const base = Float64Array.from(randomQuery(n, seed + 1), (x) => -3 + 2 * x);
        const m = withBaseColumn(v, dims, base);
        expect(m.dims).toBe(dims + 1);
        expect(m.baseScale).toBeGreaterThan(0);
        const rows = [0, n - 1];
        const mean = Float32Array.from({ length: dims + 1 }, (_, j) => (m.vectors[j]! + m.vectors[(n - 1) * (dims + 1) + j]!) / 2);
        const q = recentQuery(mean, { weight, cache_weight: 0, base_scale: m.baseScale });
        const exact = (i: number) => {
          let dot = 0;
          for (let j = 0; j < dims; j++) dot += ((v[rows[0]! * dims + j]! + v[rows[1]! * dims + j]!) / 2) * v[i * dims + j]!;
          return base[i]! + weight * dot;
        };
        const f32 = topNF32(m.vectors, dims + 1, q, n);
        for (const [r, i] of f32.indices.entries()) expect(f32.scores[r]!).toBeCloseTo(exact(i), 3);
        // int8 rows quantised per row: the base column does not swamp the vector's precision.
        const qr = quantizeRows(m.vectors, dims + 1);
        const i8 = topNI8(qr.q, qr.scale, dims + 1, q, n);
        let bound = 0;
        for (let i = 0; i < n; i++) {
          let rowMax = 0;
          for (let j = 0; j <= dims; j++) rowMax = Math.max(rowMax, Math.abs(m.vectors[i * (dims + 1) + j]!));
          bound = Math.max(bound, (rowMax / 254) * (Math.abs(m.baseScale) + weight * dims * 2));
        }
        for (const [r, i] of i8.indices.entries()) expect(Math.abs(i8.scores[r]! - exact(i))).toBeLessThanOrEqual(bound + 1e-4);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves the mean as it is for a matrix without the column', () => {
    const mean = Float32Array.from([1, 2, 3]);
    expect(recentQuery(mean, undefined)).toBe(mean);
  });
});
