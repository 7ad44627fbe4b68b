import { estimateFromTerms, kishEss } from './interval.js';
import { times, weights } from './ips.js';
import type { BanditData, Estimate, IntervalOptions, Terms } from './types.js';
import { checkBandit } from './validate.js';

/**
 * Clipped (truncated) IPS:
 *
 *   V̂_λ(π_e) = (1/n) Σ_i min(w_i, λ) r_i,   w_i = π_e(a_i | x_i) / π_0(a_i | x_i)
 *
 * λ > 0 the clipping threshold; other symbols as in `ips`. λ = ∞ is IPS.
 *
 * Bias: −(1/n) Σ E[(w_i − λ)⁺ r_i], downward for non-negative rewards, zero when no weight exceeds
 * λ. Variance: at most λ² E[r²] / n, so bounded whatever π_e does. A bias–variance trade-off
 * chosen by λ; report it beside IPS, not instead of it.
 *
 * References: Ionides (2008), "Truncated importance sampling", JCGS 17; Bottou et al. (2013),
 * "Counterfactual reasoning and learning systems", JMLR 14; OBP `InverseProbabilityWeighting`
 * with `lambda_`.
 * @param clip λ > 0 (may be Infinity)
 */
export function clippedIps(data: BanditData, clip: number, options?: IntervalOptions): Estimate {
  return estimateFromTerms(clippedIpsTerms(data, clip), options);
}

/** Per-sample terms a_i = min(w_i, λ) r_i. */
export function clippedIpsTerms(data: BanditData, clip: number): Terms {
  checkBandit(data);
  checkClip(clip);
  const w = weights(data);
  for (let i = 0; i < w.length; i++) w[i] = Math.min(w[i]!, clip);
  return { estimator: 'clipped-ips', a: times(w, data.rewards), b: null, ess: kishEss(w) };
}

/** @throws RangeError `clip must be > 0, got 0` */
export function checkClip(clip: number): void {
  if (!(clip > 0)) throw new RangeError(`clip must be > 0, got ${clip}`);
}
