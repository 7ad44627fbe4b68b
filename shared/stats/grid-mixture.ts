/**
 * Nonparametric empirical Bayes on a fixed grid (g-modelling): the prior is a mixture of
 * components the caller fixes (e.g. narrow Betas or Gammas at log-spaced means) and only their
 * weights are learned, by EM on the marginal likelihood of every unit's evidence. The batch tier's
 * base appeal (`mixturePosteriors`) and the deploy gate's item lifts (`fitItemPositionModel`) use
 * it with their own likelihoods; this file holds what they share.
 */

/**
 * Turns per-unit log marginal likelihoods into per-unit likelihoods scaled by each unit's largest
 * (so no underflow, and the EM below is unaffected: a unit's constant cancels in its posterior).
 * @param logLike row-major, `units × components`; overwritten
 */
export function normaliseRows(logLike: Float64Array, components: number): Float64Array {
  for (let k = 0; k < logLike.length; k += components) {
    let max = -Infinity;
    for (let g = 0; g < components; g++) max = Math.max(max, logLike[k + g]!);
    for (let g = 0; g < components; g++) logLike[k + g] = Math.exp(logLike[k + g]! - max);
  }
  return logLike;
}

/**
 * Mixture weights maximising Σ_units ln Σ_g w_g · like[unit, g] (EM from uniform weights; stops
 * when no weight moves by more than 1e-7, or after `iterations`).
 * With `opts.units`, only those rows count; with `opts.prior`, the M-step adds `items`
 * pseudo-units spread as `weights` — a Dirichlet prior centred on them, so a handful of units
 * keeps about those weights and a few hundred learn their own (EM starts from them then).
 * @param like row-major, `units × components`, from `normaliseRows`
 */
export function mixtureWeights(like: Float64Array, components: number, iterations = 200, opts: { units?: readonly number[]; prior?: { weights: Float64Array; items: number } } = {}): Float64Array {
  const units = opts.units ?? Array.from({ length: like.length / components }, (_, k) => k);
  const pseudo = opts.prior?.items ?? 0;
  let w = opts.prior ? Float64Array.from(opts.prior.weights) : new Float64Array(components).fill(1 / components);
  if (units.length === 0) return w;
  for (let it = 0; it < iterations; it++) {
    const next = opts.prior ? Float64Array.from(opts.prior.weights, (b) => pseudo * b) : new Float64Array(components);
    for (const k of units) {
      let z = 0;
      for (let g = 0; g < components; g++) z += w[g]! * like[k * components + g]!;
      if (!(z > 0)) continue;
      for (let g = 0; g < components; g++) next[g]! += (w[g]! * like[k * components + g]!) / z;
    }
    let change = 0;
    for (let g = 0; g < components; g++) {
      next[g]! /= units.length + pseudo;
      change = Math.max(change, Math.abs(next[g]! - w[g]!));
    }
    w = next;
    if (change < 1e-7) break;
  }
  return w;
}

/** Lanczos coefficients (g = 7) of `logGamma`. */
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}
