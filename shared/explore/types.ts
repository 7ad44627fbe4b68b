import type { Rng } from '../rng.js';

/** One ranked candidate: an item and the model's score for this user (higher is better). */
export interface Candidate {
  item: string;
  score: number;
}

/** What every strategy receives: ranked candidates and an exploration pool, after exclusions. */
export interface SlateInput {
  /** Candidates best first. Duplicates and excluded items are removed by the strategy. */
  ranked: readonly Candidate[];
  /** Exploration pool: new and under-shown items (ids), in any order. */
  pool: readonly string[];
  /** Slate length asked for. The slate is shorter only when fewer distinct items remain. */
  k: number;
  /** Items that must never be shown (already seen, in the cart, out of stock …). */
  exclude?: ReadonlySet<string>;
  /**
   * The user's history length n (impressions or interactions the batch tier counted), a
   * non-negative integer. Read by `decaying-epsilon` (epsilon_n) and by `softmax` with
   * `anneal_by: 'history'` (t = n). Absent means 0: a user we know nothing about explores most.
   */
  history_length?: number;
  /**
   * The artifact generation t (how many versions have been trained before this one), a
   * non-negative integer. Read by `softmax` with `anneal_by: 'generation'`. Absent means 0.
   */
  generation?: number;
  /**
   * Per-item Beta reward posteriors fitted by the batch tier (`Policy.posteriors` in the
   * artifact), read by `thompson` and `ucb`. An item without an entry gets the spec's prior.
   */
  posteriors?: ReadonlyMap<string, BetaPosterior>;
}

/** Beta(alpha, beta) posterior of an item's reward rate; both parameters finite and > 0. */
export interface BetaPosterior {
  alpha: number;
  beta: number;
}

/** One shown item with the probability of showing it where it was shown. */
export interface SlateEntry {
  item_id: string;
  /** 0-based position in the slate. */
  position: number;
  /** The model's score, or null for a pool item the model did not rank. */
  score: number | null;
  /** See `PropensityType`. Always in (0, 1] for a shown item. */
  propensity: number;
  /** True when the item came from the exploration branch rather than the ranking. */
  explored: boolean;
  /**
   * Standard error of `propensity` when it is a Monte-Carlo estimate (`propensity_method:
   * 'monte_carlo'`); absent when the propensity is exact.
   */
  propensity_se?: number;
}

/**
 * How a logged propensity is defined.
 * - `marginal_position`: P(item x is shown at position i) under the whole randomised procedure,
 *   over all of its random choices, given the inputs (ranking, pool, exclusions, k). This is what
 *   per-position (independent-IPS / PI-style) slate estimators need, and what a frequency count
 *   over replays of the same request converges to.
 */
export type PropensityType = 'marginal_position';

/**
 * How the propensities were obtained.
 * - `exact`: computed in closed form or by an exact dynamic programme.
 * - `monte_carlo`: estimated from `replays` seeded replays of the same procedure, with a standard
 *   error on every entry (see `shared/explore/monte-carlo.ts` for the estimator and its bias).
 */
export type PropensityMethod = 'exact' | 'monte_carlo';

/** Monte-Carlo settings for `Strategy.marginals` of a strategy whose marginals are not tractable. */
export interface MonteCarloOptions {
  /** Source of the replays' randomness. */
  rng: Rng;
  /** Number of replays; defaults to the spec's own `replays`. */
  replays?: number;
}

/** What a strategy returns. */
export interface SlateResult {
  items: SlateEntry[];
  /** Probability of the whole ordered slate (the product of the sequential choice probabilities). */
  slate_propensity: number;
  propensity_type: PropensityType;
  /** Absent means `exact` (epsilon-greedy, decaying epsilon, UCB). */
  propensity_method?: PropensityMethod;
  /** Number of Monte-Carlo replays, when `propensity_method` is `monte_carlo`. */
  replays?: number;
  /**
   * Parameters actually in force after decay or annealing (e.g. `{ epsilon, n }` or
   * `{ temperature, t }`), to log beside the spec so the propensities can be recomputed.
   */
  effective_params?: Record<string, number>;
}

/**
 * The optional parts of {@link SlateInput} a strategy may read. Each strategy declares its own
 * (`Strategy.inputs`), and the serving view (`shared/serving/`) builds exactly those, so the edge
 * and the OPE gate hand a strategy the same input and read `posteriors.json` only for the
 * strategies that use it.
 */
export type StrategyInput = 'history_length' | 'generation' | 'posteriors';

/**
 * A strategy: ranked candidates + pool in, a slate and the exact probabilities of what it showed
 * out. Like a Vowpal Wabbit `cb_explore_adf` reduction: scores in, probabilities out.
 */
export interface Strategy<P> {
  /** The optional inputs it reads; the others are left out of what it is given. */
  readonly inputs: readonly StrategyInput[];
  /** Sample one slate. All randomness comes from `rng`. */
  sample(input: SlateInput, params: P, rng: Rng): SlateResult;
  /**
   * The full table of marginal probabilities, `table[i].get(item)` = P(item at position i).
   * Used by tests and by off-policy evaluation of this strategy as a target policy.
   * Exact strategies ignore `mc`. Monte-Carlo strategies (softmax, Thompson) require it and
   * return replay frequencies X/R, unbiased with standard error sqrt(p(1 − p)/R).
   */
  marginals(input: SlateInput, params: P, mc?: MonteCarloOptions): Array<Map<string, number>>;
}
