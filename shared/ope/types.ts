import type { Rng } from '../rng.js';

/**
 * Logged bandit feedback, one entry per logged decision i = 1 … n (OBP's `reward`, `pscore`,
 * `action_dist` at the logged action).
 */
export interface BanditData {
  /** r_i: observed reward, finite. */
  rewards: readonly number[];
  /** π_0(a_i | x_i): probability the logging policy gave the logged action, in (0, 1]. */
  propensities: readonly number[];
  /** π_e(a_i | x_i): probability the target (evaluated) policy gives the logged action, in [0, 1]. */
  targetProbabilities: readonly number[];
}

/** Reward-model predictions for the direct method and doubly robust. */
export interface RewardModelData {
  /** q̂(x_i, a_i): predicted reward of the logged action, finite. */
  qLogged: readonly number[];
  /** q̂_π(x_i) = Σ_a π_e(a | x_i) q̂(x_i, a): predicted value of the target policy at x_i, finite. */
  qTarget: readonly number[];
}

/**
 * Logged slates with per-position rewards; row i is impression i, entry l is position l of its
 * slate (rows may have different lengths, 0 … L_i − 1).
 */
export interface SlateData {
  /** r_{i,l}: reward observed at position l (0 when no event), finite. */
  rewards: readonly (readonly number[])[];
  /** π_0(a_{i,l} at l | x_i): the logged `marginal_position` propensity, in (0, 1]. */
  propensities: readonly (readonly number[])[];
  /** π_e(a_{i,l} at l | x_i): the target policy's marginal probability of the same item at l, in [0, 1]. */
  targetProbabilities: readonly (readonly number[])[];
}

/** How a confidence interval is computed. */
export interface IntervalOptions {
  /** Coverage 1 − δ, in (0, 1); default 0.95. */
  level?: number;
  /**
   * `normal` (default): estimate ± z_{1−δ/2} · standard error of the per-sample terms (delta
   * method for ratios). `bootstrap`: percentile interval of `resamples` resamples of the samples
   * (impressions for slates) drawn with `rng`, which must then be given.
   */
  method?: 'normal' | 'bootstrap';
  rng?: Rng;
  /** Bootstrap resamples; default 1000. */
  resamples?: number;
}

/** What every estimator returns. */
export interface Estimate {
  /** Which estimator (`ips`, `snips`, `dr`, `slate-ips` …, or `<name> difference`). */
  estimator: string;
  estimate: number;
  /** [lower, upper] confidence bounds at `level`. */
  ci: [number, number];
  ciMethod: 'normal' | 'bootstrap';
  level: number;
  /** Number of samples (decisions, or impressions for slate estimators). */
  n: number;
  /**
   * Kish effective sample size (Σ w)² / Σ w² of the importance weights, in samples: n when every
   * weight is equal, small when a few samples dominate. For slates, computed over (impression,
   * position) pairs and divided by the mean slate length.
   */
  ess: number;
}

/**
 * Per-sample terms of an estimator written as a ratio V̂ = Σ a_i / Σ b_i (b_i = 1 unless
 * self-normalised), so one routine gives every estimator its interval and differences are paired.
 */
export interface Terms {
  estimator: string;
  a: ArrayLike<number>;
  /** null means every b_i = 1. */
  b: ArrayLike<number> | null;
  ess: number;
}
