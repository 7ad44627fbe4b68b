/**
 * Cross-checks the WASM scorer against the plain-TypeScript reference (shared/scoring/top-n.ts).
 * Runtime-neutral, so the same cases run in Node, inside workerd, and before the benchmark
 * times anything (a fast wrong kernel must not produce a number).
 *
 * - f32: indices and scores must be identical — the reference sums in the kernel's lane order,
 *   and the tie rule (lower index first) makes the order total.
 * - i8: identical to the reference too; and, against float64 maths, (a) the ranking equals the
 *   ranking on the dequantised values except where two rows are within float32 rounding of a tie,
 *   (b) every score is within the quantisation error bound of the unquantised float score.
 */
import type { WasmScorer } from '../../shared/scoring/wasm-scorer.js';
import { dequantizeRows, quantizeRows } from '../../shared/scoring/quantize.js';
import { quantizeQuery, topNF32, topNI8, type TopN } from '../../shared/scoring/top-n.js';
import { randomMatrix, randomQuery } from './scorer-data.js';

export interface CheckCase {
  name: string;
  format: 'f32' | 'i8';
  rows: number;
  dims: number;
  seed: number;
  ties?: boolean;
  /** Query of zeros: every score ties, so only the tie rule orders rows. */
  zeroQuery?: boolean;
  /** Rows overwritten with NaN (f32 only): never returned. */
  nanRows?: number[];
  ns: number[];
  exclude?: number[];
}

/** Shapes chosen to hit every kernel path: 4-row blocks and the remainder, SIMD width tails, N > rows. */
export const CHECK_CASES: CheckCase[] = [
  { name: 'f32 random 1000x64', format: 'f32', rows: 1000, dims: 64, seed: 1, ns: [1, 10, 500] },
  { name: 'f32 fast path + remainder 1001x48', format: 'f32', rows: 1001, dims: 48, seed: 8, ns: [500], exclude: [1000] },
  { name: 'f32 odd 1003x13', format: 'f32', rows: 1003, dims: 13, seed: 2, ns: [7, 500], exclude: [0, 1002] },
  { name: 'f32 tie grid 777x64', format: 'f32', rows: 777, dims: 64, seed: 3, ties: true, ns: [1, 50, 500], exclude: [5, 6, 7] },
  { name: 'f32 tie grid 2001x36', format: 'f32', rows: 2001, dims: 36, seed: 4, ties: true, ns: [100] },
  { name: 'f32 tiny 5x3 (n > rows)', format: 'f32', rows: 5, dims: 3, seed: 5, ties: true, ns: [1, 5, 500], exclude: [2] },
  { name: 'f32 all tied', format: 'f32', rows: 301, dims: 8, seed: 6, zeroQuery: true, ns: [20], exclude: [0, 3] },
  { name: 'f32 NaN rows', format: 'f32', rows: 64, dims: 16, seed: 7, nanRows: [0, 9, 63], ns: [64] },
  { name: 'i8 random 1000x64', format: 'i8', rows: 1000, dims: 64, seed: 11, ns: [1, 10, 500] },
  { name: 'i8 fast path + remainder 1003x96', format: 'i8', rows: 1003, dims: 96, seed: 17, ns: [1, 500], exclude: [1002] },
  { name: 'i8 odd 1003x13', format: 'i8', rows: 1003, dims: 13, seed: 12, ns: [7, 500], exclude: [0, 1002] },
  { name: 'i8 odd 998x40', format: 'i8', rows: 998, dims: 40, seed: 13, ns: [33] },
  { name: 'i8 tie grid 777x64', format: 'i8', rows: 777, dims: 64, seed: 14, ties: true, ns: [1, 50, 500], exclude: [5, 6, 7] },
  { name: 'i8 wide 300x512', format: 'i8', rows: 300, dims: 512, seed: 15, ns: [25] },
  { name: 'i8 all tied', format: 'i8', rows: 301, dims: 16, seed: 16, zeroQuery: true, ns: [20], exclude: [0, 3] },
];

/** @returns one line per disagreement; empty when the kernel agrees with the reference */
export async function checkAgainstReference(scorer: WasmScorer, c: CheckCase): Promise<string[]> {
  const x = randomMatrix(c.rows, c.dims, c.seed, { ties: c.ties });
  for (const r of c.nanRows ?? []) x.fill(NaN, r * c.dims, (r + 1) * c.dims);
  const query = c.zeroQuery ? new Float32Array(c.dims) : randomQuery(c.dims, c.seed, { ties: c.ties });
  const problems: string[] = [];
  const version = `check-${c.name}`;
  if (c.format === 'f32') {
    await scorer.load({ version, format: 'f32', rows: c.rows, dims: c.dims }, { matrix: x });
    for (const n of c.ns) problems.push(...diff(`${c.name} n=${n}`, scorer.score(query, n, { exclude: c.exclude, version }), topNF32(x, c.dims, query, n, c.exclude)));
    return problems;
  }
  const qm = quantizeRows(x, c.dims);
  await scorer.load({ version, format: 'i8', rows: c.rows, dims: c.dims }, { matrix: qm.q, scales: qm.scale });
  for (const n of c.ns) {
    const got = scorer.score(query, n, { exclude: c.exclude, version });
    problems.push(...diff(`${c.name} n=${n}`, got, topNI8(qm.q, qm.scale, c.dims, query, n, c.exclude)));
    problems.push(...againstFloat64(`${c.name} n=${n}`, got, x, dequantizeRows(qm, c.dims), qm.scale, c.dims, query, c.exclude ?? []));
  }
  return problems;
}

function diff(what: string, got: TopN, want: TopN): string[] {
  const out: string[] = [];
  if (got.indices.length !== want.indices.length) return [`${what}: ${got.indices.length} rows, reference ${want.indices.length}`];
  for (let k = 0; k < got.indices.length; k++) {
    if (got.indices[k] !== want.indices[k] || !Object.is(got.scores[k], want.scores[k])) {
      out.push(`${what} rank ${k}: row ${got.indices[k]} score ${got.scores[k]}, reference row ${want.indices[k]} score ${want.scores[k]}`);
      if (out.length >= 5) break;
    }
  }
  return out;
}

/**
 * int8 against exact (float64) maths. Ranking: rank k must hold the float64 rank-k row of the
 * dequantised problem, or a row whose dequantised score is within `tieTol` of it (float32
 * rounding of the kernel can swap rows that close). Error: |score − dot(query, x_r)| ≤
 * Σ|query_i|·s_r/2 + Σ|x̂_ri|·qscale/2 (+ float32 slack), the rounding of row and query codes.
 */
function againstFloat64(what: string, got: TopN, x: Float32Array, xhat: Float32Array, scale: Float32Array, dims: number, query: Float32Array, exclude: number[]): string[] {
  const out: string[] = [];
  const rows = x.length / dims;
  const qq = quantizeQuery(query);
  const qhat = Float64Array.from(qq.q, (v) => v * qq.scale);
  const dot = (m: Float32Array, q: ArrayLike<number>, r: number) => {
    let s = 0;
    for (let i = 0; i < dims; i++) s += q[i]! * m[r * dims + i]!;
    return s;
  };
  const skip = new Set(exclude);
  const deq = Array.from({ length: rows }, (_, r) => dot(xhat, qhat, r));
  const order = deq.map((_, r) => r).filter((r) => !skip.has(r)).sort((a, b) => deq[b]! - deq[a]! || a - b);
  const maxAbs = Math.max(1e-30, ...deq.map(Math.abs));
  const tieTol = 1e-6 * maxAbs;
  let qAbs = 0;
  for (const v of query) qAbs += Math.abs(v);
  for (let k = 0; k < got.indices.length; k++) {
    const r = got.indices[k]!;
    const want = order[k]!;
    if (r !== want && Math.abs(deq[r]! - deq[want]!) > tieTol) out.push(`${what} rank ${k}: row ${r} (${deq[r]}), dequantised ranking has row ${want} (${deq[want]})`);
    let xAbs = 0;
    for (let i = 0; i < dims; i++) xAbs += Math.abs(xhat[r * dims + i]!);
    const bound = (qAbs * scale[r]!) / 2 + (xAbs * qq.scale) / 2 + 1e-5 * (1 + Math.abs(dot(x, query, r)));
    const err = Math.abs(got.scores[k]! - dot(x, query, r));
    if (err > bound) out.push(`${what} rank ${k}: row ${r} score ${got.scores[k]} is ${err} from the float score, bound ${bound}`);
    if (out.length >= 5) break;
  }
  return out;
}
