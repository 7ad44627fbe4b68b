import { estimateFromTerms, kishEss } from './interval.js';
import { weights } from './ips.js';
import type { BanditData, Estimate, IntervalOptions, RewardModelData, Terms } from './types.js';
import { checkBandit } from './validate.js';

/**
 * Doubly robust (DR):
 *
 *   V̂_DR(π_e) = (1/n) Σ_i [ q̂_π(x_i) + w_i (r_i − q̂(x_i, a_i)) ],   w_i = π_e(a_i | x_i) / π_0(a_i | x_i)
 *
 * q̂(x, a) a reward model (`qLogged` = q̂(x_i, a_i)); q̂_π(x_i) = Σ_a π_e(a | x_i) q̂(x_i, a)
 * (`qTarget`); other symbols as in `ips`.
 *
 * Bias: none when the propensities are right, whatever q̂ is (the weighted residual corrects the
 * model); when the propensities are wrong, the model's accuracy bounds the bias. Variance: that of
 * IPS with r replaced by the residual r − q̂, so much lower than IPS when q̂ is good, and never
 * much worse than IPS for a reasonable q̂. Fit q̂ on data other than the evaluation sample (or
 * cross-fit) to keep the guarantee.
 *
 * References: Robins, Rotnitzky & Zhao (1994), JASA 89; Dudík, Langford & Li (2011), "Doubly robust
 * policy evaluation and learning", ICML; OBP `DoublyRobust`.
 */
export function doublyRobust(data: BanditData & RewardModelData, options?: IntervalOptions): Estimate {
  return estimateFromTerms(doublyRobustTerms(data), options);
}

/** Per-sample terms a_i = q̂_π(x_i) + w_i (r_i − q̂(x_i, a_i)). */
export function doublyRobustTerms(data: BanditData & RewardModelData): Terms {
  checkBandit(data, data);
  const w = weights(data);
  const a = new Float64Array(w.length);
  for (let i = 0; i < a.length; i++) a[i] = data.qTarget[i]! + w[i]! * (data.rewards[i]! - data.qLogged[i]!);
  return { estimator: 'dr', a, b: null, ess: kishEss(w) };
}
