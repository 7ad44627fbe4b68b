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
 * β₀ = m (1 − p₀)). The prior keeps an item with 1 click in 1 view near p₀ + 1/(m + 1) instead of
 * at 100%; `m` = 20 lets ~20 examinations move an item halfway to its own rate.
 * With no data the prior is Beta(1, 19) (mean 5%).
 */
export function betaPosteriors(stats: ItemStats, m = 20): BetaPosteriors {
  let r = 0;
  let e = 0;
  for (let i = 0; i < stats.rewarded.length; i++) {
    r += stats.rewarded[i]!;
    e += stats.exposure[i]!;
  }
  const p0 = e > 0 && r > 0 ? Math.min(0.99, Math.max(1e-4, r / e)) : 0.05;
  const prior = { alpha: m * p0, beta: m * (1 - p0) };
  const n = stats.rewarded.length;
  const alpha = new Float64Array(n);
  const beta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    alpha[i] = prior.alpha + stats.rewarded[i]!;
    beta[i] = prior.beta + Math.max(0, stats.exposure[i]! - stats.rewarded[i]!);
  }
  return { prior, alpha, beta };
}

/** @returns posterior mean α / (α + β) of each item */
export function posteriorMeans(p: BetaPosteriors): Float64Array {
  return p.alpha.map((a, i) => a / (a + p.beta[i]!));
}
