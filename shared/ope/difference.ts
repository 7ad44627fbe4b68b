import { differenceFromTerms } from './interval.js';
import { slateIpsTerms, type SlateIpsOptions } from './slate-ips.js';
import type { Estimate, IntervalOptions, Terms } from './types.js';

/**
 * Paired difference of two target policies on the same log, for the deploy gate:
 *
 *   Δ̂ = V̂(π_c) − V̂(π_s) = (1/n) Σ_i (a^c_i − a^s_i)      (IPS, DR, DM, slate IPS: b_i = 1)
 *
 * π_c the candidate, π_s the serving policy; a^·_i the per-sample terms of the same estimator
 * under each (e.g. `ipsTerms`, `slateIpsTerms`). For ratio estimators (SNIPS) the interval uses the
 * paired influence terms φ^c_i − φ^s_i (delta method).
 *
 * Bias and variance: those of the estimator applied to each, except that the shared noise (the
 * same logged rewards) cancels in the pairing, so Var(Δ̂) = Var(a^c − a^s)/n is far below
 * Var(V̂_c) + Var(V̂_s) when the two policies are alike. Interval: normal on paired terms, or a
 * joint bootstrap.
 *
 * Reference: Thomas, Theocharous & Ghavamzadeh (2015), "High confidence policy improvement",
 * ICML (publishing on a lower confidence bound).
 */
export function difference(candidate: Terms, serving: Terms, options?: IntervalOptions): Estimate {
  return differenceFromTerms(candidate, serving, options);
}

/**
 * Δ̂ of the per-position slate estimator (`slateIps`) for two target policies on one slate log.
 * @param log rewards and logged propensities per impression and position
 * @param candidate π_c(a_{i,l} at l | x_i) per impression and position
 * @param serving π_s(a_{i,l} at l | x_i) per impression and position
 */
export function slateDifference(
  log: { rewards: readonly (readonly number[])[]; propensities: readonly (readonly number[])[] },
  candidate: readonly (readonly number[])[],
  serving: readonly (readonly number[])[],
  options: SlateIpsOptions & IntervalOptions = {},
): Estimate {
  return differenceFromTerms(
    slateIpsTerms({ ...log, targetProbabilities: candidate }, options),
    slateIpsTerms({ ...log, targetProbabilities: serving }, options),
    options,
  );
}
