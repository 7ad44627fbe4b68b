import { estimateFromTerms, kishEss } from './interval.js';
import type { BanditData, Estimate, IntervalOptions, Terms } from './types.js';
import { checkBandit } from './validate.js';

/**
 * Inverse propensity scoring (IPS):
 *
 *   V̂_IPS(π_e) = (1/n) Σ_i w_i r_i,   w_i = π_e(a_i | x_i) / π_0(a_i | x_i)
 *
 * n logged decisions; x_i the context, a_i the logged action, r_i its reward; π_0 the logging
 * policy (its logged propensity), π_e the target policy; w_i the importance weight.
 *
 * Bias: none when the logged propensities are the true π_0 and π_0(a|x) > 0 wherever
 * π_e(a|x) > 0. Variance: (1/n) Var(w r), large when π_e puts mass where π_0 rarely goes (see
 * `ess`). Interval: normal on the terms w_i r_i, or bootstrap.
 *
 * References: Horvitz & Thompson (1952), JASA 47; Precup, Sutton & Singh (2000), "Eligibility
 * traces for off-policy policy evaluation", ICML; OBP `InverseProbabilityWeighting` (Saito et al.
 * 2021, "Open Bandit Dataset and Pipeline", NeurIPS Datasets & Benchmarks).
 * @example ips({ rewards: [1, 0], propensities: [0.5, 0.5], targetProbabilities: [1, 0] }).estimate // 1
 */
export function ips(data: BanditData, options?: IntervalOptions): Estimate {
  return estimateFromTerms(ipsTerms(data), options);
}

/** Per-sample terms a_i = w_i r_i of IPS (for paired differences). */
export function ipsTerms(data: BanditData): Terms {
  checkBandit(data);
  const w = weights(data);
  return { estimator: 'ips', a: times(w, data.rewards), b: null, ess: kishEss(w) };
}

/**
 * w_i = π_e(a_i | x_i) / π_0(a_i | x_i). Float64Array, as every per-sample array of the
 * estimators: on 10M logged rows, `Array#map` chains cost several times the arithmetic.
 */
export function weights(data: Pick<BanditData, 'propensities' | 'targetProbabilities'>): Float64Array {
  const n = data.targetProbabilities.length;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = data.targetProbabilities[i]! / data.propensities[i]!;
  return w;
}

/** Elementwise x_i · y_i. */
export function times(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * y[i]!;
  return out;
}
