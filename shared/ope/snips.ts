import { estimateFromTerms, kishEss } from './interval.js';
import { times, weights } from './ips.js';
import type { BanditData, Estimate, IntervalOptions, Terms } from './types.js';
import { checkBandit } from './validate.js';

/**
 * Self-normalised IPS (SNIPS, the weighted importance-sampling estimator):
 *
 *   V̂_SNIPS(π_e) = Σ_i w_i r_i / Σ_i w_i,   w_i = π_e(a_i | x_i) / π_0(a_i | x_i)
 *
 * Symbols as in `ips`.
 *
 * Bias: O(1/n) (a ratio of unbiased estimates), consistent; exact for constant rewards and
 * invariant to adding a constant to every reward, unlike IPS. Variance: usually well below IPS
 * when weights are uneven. Interval: normal by the delta method on (w_i (r_i − V̂)) / w̄, or
 * bootstrap. Throws when Σ w_i = 0 (no support).
 *
 * References: Kong (1992), "A note on importance sampling using standardized weights"; Swaminathan
 * & Joachims (2015), "The self-normalized estimator for counterfactual learning", NeurIPS; OBP
 * `SelfNormalizedInverseProbabilityWeighting`.
 */
export function snips(data: BanditData, options?: IntervalOptions): Estimate {
  return estimateFromTerms(snipsTerms(data), options);
}

/** Ratio terms a_i = w_i r_i, b_i = w_i. */
export function snipsTerms(data: BanditData): Terms {
  checkBandit(data);
  const w = weights(data);
  return { estimator: 'snips', a: times(w, data.rewards), b: w, ess: kishEss(w) };
}
