import { xoshiro128ss, type Rng } from '../../shared/rng.js';

/** @returns a seeded generator for training (shared xoshiro128**, so runs replay exactly) */
export function trainingRng(seed: number, stream: number): Rng {
  return xoshiro128ss([seed >>> 0 || 1, 0x9e3779b9 ^ stream, 0x85ebca6b, 0xc2b2ae35 ^ (stream * 7919)]);
}

/** @returns n draws of N(0, sd²) (Box–Muller) */
export function normalArray(rng: Rng, n: number, sd: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rng.next(), 1e-12);
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u)) * sd;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** In-place Fisher–Yates shuffle of 0 … n−1. */
export function permutation(rng: Rng, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
