import type { Rng } from '../rng.js';
import type { SlateEntry } from './types.js';

/** Draws one ordered slate (item ids, best position first) using only `rng`. */
export type SlateDraw = (rng: Rng) => readonly string[];

/** Propensities of one shown slate estimated by replays. */
export interface ReplayPropensities {
  /** p̂_i = (1 + X_i) / (R + 1) for the shown item at each position i. */
  propensities: number[];
  /** sqrt(p̂_i (1 − p̂_i) / (R + 1)): the binomial standard error of each estimate. */
  se: number[];
  /** (1 + Y) / (R + 1), Y = replays that reproduced the whole ordered slate. */
  slate: number;
}

/**
 * Monte-Carlo propensities of a slate that was just drawn, for strategies whose marginals
 * P(item at position) have no closed form (Plackett–Luce, Thompson sampling).
 *
 *   p̂_i = (1 + X_i) / (R + 1),   X_i = #{r ≤ R : replay r shows shown[i] at position i}
 *
 * R = `replays` further independent draws of the same procedure from the same `rng` (so the
 * impression id still fixes everything). The `1 +` counts the draw that was shown, so
 * p̂ ∈ [1/(R+1), 1] is never 0 for a shown item. With X ~ Binomial(R, p) independent of the shown
 * draw, E[1{shown} / p̂] = 1 − (1 − p)^(R+1): inverse-propensity weights are unbiased up to that
 * term (geometric-resampling identity, Neu & Bartók 2013, "An efficient algorithm for learning
 * with semi-bandit feedback", ALT). p̂ itself is biased by (1 − p)/(R + 1) and has standard error
 * about sqrt(p(1 − p)/(R + 1)).
 * @param draw the strategy's own sampling procedure
 * @param shown the slate that was shown (drawn with the same procedure)
 * @param replays R ≥ 1
 * @param rng continues the impression's stream
 */
export function replayPropensities(draw: SlateDraw, shown: readonly string[], replays: number, rng: Rng): ReplayPropensities {
  checkReplays(replays);
  const hits = new Array<number>(shown.length).fill(0);
  let whole = 0;
  for (let r = 0; r < replays; r++) {
    const slate = draw(rng);
    let all = true;
    for (let i = 0; i < shown.length; i++) {
      if (slate[i] === shown[i]) hits[i]!++;
      else all = false;
    }
    if (all) whole++;
  }
  const propensities = hits.map((x) => (1 + x) / (replays + 1));
  const se = propensities.map((p) => Math.sqrt((p * (1 - p)) / (replays + 1)));
  return { propensities, se, slate: (1 + whole) / (replays + 1) };
}

/**
 * Monte-Carlo marginal table, `table[i].get(item)` = X_{i,item} / R: unbiased, standard error
 * sqrt(p(1 − p)/R), and each position's row sums to exactly 1. For off-policy evaluation with such
 * a strategy as the target policy.
 * @param draw the strategy's own sampling procedure
 * @param length slate length every draw has
 * @param replays R ≥ 1
 * @param rng source of randomness
 */
export function replayMarginals(draw: SlateDraw, length: number, replays: number, rng: Rng): Array<Map<string, number>> {
  checkReplays(replays);
  const counts = Array.from({ length }, () => new Map<string, number>());
  for (let r = 0; r < replays; r++) {
    const slate = draw(rng);
    for (let i = 0; i < length; i++) {
      const m = counts[i]!;
      const item = slate[i]!;
      m.set(item, (m.get(item) ?? 0) + 1);
    }
  }
  return counts.map((m) => new Map([...m].map(([item, x]) => [item, x / replays])));
}

function checkReplays(replays: number): void {
  if (!(Number.isInteger(replays) && replays >= 1)) throw new RangeError(`replays must be a positive integer, got ${replays}`);
}

/**
 * The entries of a Monte-Carlo strategy's slate: each shown item with its replay propensity and
 * standard error, `explored` when it differs from the strategy's greedy (no-noise) order.
 */
export function monteCarloEntries(shown: readonly string[], est: ReplayPropensities, greedy: readonly string[], scoreOf: ReadonlyMap<string, number>): SlateEntry[] {
  return shown.map((item, i) => ({
    item_id: item,
    position: i,
    score: scoreOf.get(item) ?? null,
    propensity: est.propensities[i]!,
    explored: greedy[i] !== item,
    propensity_se: est.se[i]!,
  }));
}
