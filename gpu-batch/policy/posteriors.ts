import type { ItemStats } from './item-stats.js';

export interface BetaPosteriors {
  prior: { alpha: number; beta: number };
  alpha: Float64Array;
  beta: Float64Array;
}

/**
 * Beta–Bernoulli posteriors of each item's reward rate per examination:
 * α_i = α₀ + rewarded_i, β_i = β₀ + max(0, exposure_i − rewarded_i), with an empirical-Bayes prior
 * of mean p₀ = Σ rewarded / Σ exposure and strength m pseudo-examinations (α₀ = m p₀,
 * β₀ = m (1 − p₀)).
 *
 * m is fitted by the method of moments unless given: the spread of true item rates is the spread
 * of observed rates minus their sampling noise, τ² = Var(r_i / e_i) − mean(p₀(1 − p₀) / e_i) over
 * items with at least 10 examinations, and a Beta prior of that variance has m = p₀(1 − p₀)/τ² − 1,
 * kept in [2, 200]; when the observed spread is within the noise, τ² is taken at the noise level
 * (the most the data can rule out), so thin data keeps the prior weak. A
 * catalog of near-equal items gets a strong prior (shrink hard: differences are noise); a long tail with a few stars gets a weak one, so a new item's posterior is wide — it could
 * be a star — and a handful of clicks moves an item far. Without enough items to fit, m = 20.
 * With no data the prior is Beta(1, 19) (mean 5%).
 * @param m prior strength; fitted when undefined
 */
export function betaPosteriors(stats: ItemStats, m?: number): BetaPosteriors {
  let r = 0;
  let e = 0;
  for (let i = 0; i < stats.rewarded.length; i++) {
    r += stats.rewarded[i]!;
    e += stats.exposure[i]!;
  }
  const p0 = e > 0 && r > 0 ? Math.min(0.99, Math.max(1e-4, r / e)) : 0.05;
  const strength = m ?? priorStrength(stats, p0);
  const prior = { alpha: strength * p0, beta: strength * (1 - p0) };
  const n = stats.rewarded.length;
  const alpha = new Float64Array(n);
  const beta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    alpha[i] = prior.alpha + stats.rewarded[i]!;
    beta[i] = prior.beta + Math.max(0, stats.exposure[i]! - stats.rewarded[i]!);
  }
  return { prior, alpha, beta };
}

/** Method-of-moments prior strength (see `betaPosteriors`). */
export function priorStrength(stats: ItemStats, p0: number, minExposure = 10): number {
  let n = 0;
  let mean = 0;
  let sq = 0;
  let noise = 0;
  for (let i = 0; i < stats.rewarded.length; i++) {
    const ex = stats.exposure[i]!;
    if (ex < minExposure) continue;
    const rate = Math.min(1, stats.rewarded[i]! / ex);
    n++;
    mean += rate;
    sq += rate * rate;
    noise += (p0 * (1 - p0)) / ex;
  }
  if (n < 20) return 20;
  mean /= n;
  const tau2 = sq / n - mean * mean - noise / n;
  // No spread beyond sampling noise: the data rule out a spread much above the noise level v̄, and
  // no more — thin data (early rounds: a few examinations per item) must not claim a flat catalog.
  const spread = tau2 > 0 ? tau2 : noise / n;
  return Math.min(200, Math.max(2, (p0 * (1 - p0)) / spread - 1));
}

/** @returns posterior mean α / (α + β) of each item */
export function posteriorMeans(p: BetaPosteriors): Float64Array {
  return p.alpha.map((a, i) => a / (a + p.beta[i]!));
}
