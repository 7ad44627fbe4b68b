import type { Rng } from '../rng.js';

/**
 * Random variates for the sampling strategies, all driven by an `Rng` so slates replay.
 * Uniforms are taken as 1 − rng.next() ∈ (0, 1] where a logarithm needs a non-zero argument.
 */

/** A standard Gumbel variate −log(−log U). */
export function gumbel(rng: Rng): number {
  return -Math.log(-Math.log(1 - rng.next()) || Number.MIN_VALUE);
}

/** A standard normal variate (Box–Muller, one of the pair). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A Gamma(shape, 1) variate by Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables", ACM TOMS 26(3); shape < 1 uses Gamma(shape + 1) · U^(1/shape).
 * @param shape > 0
 */
export function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(alpha, beta) variate as G_a / (G_a + G_b). */
export function betaVariate(rng: Rng, alpha: number, beta: number): number {
  const a = gamma(rng, alpha);
  const b = gamma(rng, beta);
  return a + b > 0 ? a / (a + b) : alpha / (alpha + beta);
}

/**
 * Indices of the `k` largest keys, largest first (ties: lower index first). O(n·k), for small k.
 * @param keys one key per item
 * @param k how many to keep (≤ keys.length)
 */
export function topK(keys: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (best.length === k && !(key > keys[best[k - 1]!]!)) continue;
    let j = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(i);
    while (j > 0 && key > keys[best[j - 1]!]!) {
      best[j] = best[j - 1]!;
      j--;
    }
    best[j] = i;
  }
  return best;
}
