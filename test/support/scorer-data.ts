/**
 * Seeded item matrices and queries for the scorer's tests and benchmark, identical in Node and
 * in workerd (no `Math.random()`), so a failing case replays from its seed.
 */
import { xoshiro128ss, type Rng } from '../../shared/rng.js';

/** Shapes that break naive kernels: exact ties, odd widths, a remainder of rows past the 4-row blocks. */
export interface MatrixOptions {
  /** Draw values from a coarse grid (multiples of 1/8 in [−2, 2]) so many scores tie exactly. */
  ties?: boolean;
}

/** @returns a seeded generator; different seeds give unrelated streams */
export function rngFor(seed: number): Rng {
  return xoshiro128ss([seed ^ 0x9e3779b9, 0x243f6a88, 0x85a308d3, (seed * 2654435761) >>> 0 || 1]);
}

/** @returns rows × dims float32, uniform in [−1, 1) (or the tie grid) */
export function randomMatrix(rows: number, dims: number, seed: number, opts: MatrixOptions = {}): Float32Array {
  const rng = rngFor(seed);
  const x = new Float32Array(rows * dims);
  if (opts.ties) for (let i = 0; i < x.length; i++) x[i] = (Math.floor(rng.next() * 33) - 16) / 8;
  else for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
  return x;
}

/** @returns a query of dims float32 values, uniform in [−1, 1) (or the tie grid) */
export function randomQuery(dims: number, seed: number, opts: MatrixOptions = {}): Float32Array {
  return randomMatrix(1, dims, seed + 0x51ed, opts);
}

/**
 * int8 codes uniform in [−127, 127] and per-row scales in [0.5/127, 1.5/127), generated directly
 * (not by quantising floats) so the 1M-row benchmark matrix costs 68 MB, not 324.
 */
export function randomInt8(rows: number, dims: number, seed: number): { q: Int8Array; scale: Float32Array } {
  const rng = rngFor(seed);
  const q = new Int8Array(rows * dims);
  for (let i = 0; i < q.length; i++) q[i] = Math.floor(rng.next() * 255) - 127;
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) scale[r] = (0.5 + rng.next()) / 127;
  return { q, scale };
}
