import { estimateFromTerms } from './interval.js';
import type { Estimate, IntervalOptions, Terms } from './types.js';
import { checkEnough, checkFinite } from './validate.js';

/**
 * Direct method (DM): average the reward model's prediction of the target policy's value.
 *
 *   V̂_DM(π_e) = (1/n) Σ_i q̂_π(x_i),   q̂_π(x) = Σ_a π_e(a | x) q̂(x, a)
 *
 * x_i the logged contexts; q̂(x, a) a reward model fitted on other data (or cross-fitted);
 * q̂_π(x_i) its prediction of π_e's reward at x_i (`qTarget`).
 *
 * Bias: the model's error E[q̂_π(x) − q_π(x)], which no amount of data removes and which the
 * interval does not cover: the interval reflects only the sampling of contexts. Variance: low
 * (no importance weights; ess = n).
 *
 * References: Beygelzimer & Langford (2009), "The offset tree for learning with partial labels",
 * KDD; Dudík, Langford & Li (2011), ICML; OBP `DirectMethod`.
 */
export function directMethod(data: { qTarget: readonly number[] }, options?: IntervalOptions): Estimate {
  return estimateFromTerms(directMethodTerms(data), options);
}

/** Per-sample terms a_i = q̂_π(x_i). */
export function directMethodTerms(data: { qTarget: readonly number[] }): Terms {
  checkEnough(data.qTarget.length);
  checkFinite('qTarget', data.qTarget);
  return { estimator: 'dm', a: data.qTarget, b: null, ess: data.qTarget.length };
}
