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
}

/**
 * How a logged propensity is defined.
 * - `marginal_position`: P(item x is shown at position i) under the whole randomised procedure,
 *   over all of its random choices, given the inputs (ranking, pool, exclusions, k). This is what
 *   per-position (independent-IPS / PI-style) slate estimators need, and what a frequency count
 *   over replays of the same request converges to.
 */
export type PropensityType = 'marginal_position';

/** What a strategy returns. */
export interface SlateResult {
  items: SlateEntry[];
  /** Probability of the whole ordered slate (the product of the sequential choice probabilities). */
  slate_propensity: number;
  propensity_type: PropensityType;
}

/**
 * A strategy: ranked candidates + pool in, a slate and the exact probabilities of what it showed
 * out. Like a Vowpal Wabbit `cb_explore_adf` reduction: scores in, probabilities out.
 */
export interface Strategy<P> {
  /** Sample one slate. All randomness comes from `rng`. */
  sample(input: SlateInput, params: P, rng: Rng): SlateResult;
  /**
   * The full table of marginal probabilities, `table[i].get(item)` = P(item at position i).
   * Used by tests and by off-policy evaluation of this strategy as a target policy.
   */
  marginals(input: SlateInput, params: P): Array<Map<string, number>>;
}
