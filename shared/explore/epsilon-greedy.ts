import { prepare, type Prepared } from './prepare.js';
import type { SlateEntry, Strategy } from './types.js';

/** Parameters of epsilon-greedy. */
export interface EpsilonGreedyParams {
  /** Probability that a position is filled from the exploration pool, in [0, 1]. */
  epsilon: number;
  /**
   * Optional multiplier per position: position i explores with ε_i = min(1, ε · w_i), w_i =
   * `position_weights[min(i, length − 1)]`. Lets exploration spend its slots low in the slate,
   * where a miss costs least (absent: every w_i = 1).
   */
  position_weights?: readonly number[] | undefined;
}

/**
 * Epsilon-greedy slate exploration by per-position replacement.
 *
 * Procedure, position i = 0 … L−1 (L = min(k, |R| + |E|)), with R the distinct ranked
 * candidates and E the pool minus exclusions minus the top-k of R:
 * - with j explores so far, the slot explores with probability ε_i (ε, or ε · w_i with position
 *   weights, capped at 1) when both an unused pool item
 *   (j < |E|) and an unused candidate (i − j < |R|) exist; when only one kind is left it takes that;
 * - an explore slot shows an unused pool item drawn uniformly; an exploit slot shows R[i − j], the
 *   best candidate not yet shown (exploited items shift down past explored ones).
 * E and the top-k of R are disjoint, so no item can appear twice.
 *
 * Propensities are exact marginals (`marginal_position`): a dynamic programme over
 * (position, explores so far) gives P(slot i explores) and P(R[t] at i); by exchangeability of a
 * uniform draw without replacement, each pool item is at an explore slot with probability 1/|E|.
 * Cost O(k²) per slate.
 */
export const epsilonGreedy: Strategy<EpsilonGreedyParams> = {
  inputs: [],
  sample(input, params, rng) {
    const eps = epsilonByPosition(params);
    const prep = prepare(input);
    const table = dp(prep, eps);
    const pool = prep.pool.slice();
    const items: SlateEntry[] = [];
    let j = 0;
    let slateP = 1;
    for (let i = 0; i < prep.length; i++) {
      const pExplore = exploreProbability(prep, eps, i, j);
      const explore = pExplore === 1 || (pExplore > 0 && rng.next() < pExplore);
      if (explore) {
        const left = prep.pool.length - j;
        const pick = Math.floor(rng.next() * left);
        const item = pool[pick]!;
        pool[pick] = pool[left - 1]!;
        pool[left - 1] = item;
        slateP *= pExplore / left;
        items.push({
          item_id: item,
          position: i,
          score: prep.scoreOf.get(item) ?? null,
          propensity: table.explore[i]! / prep.pool.length,
          explored: true,
        });
        j++;
      } else {
        const c = prep.ranked[i - j]!;
        slateP *= 1 - pExplore;
        items.push({ item_id: c.item, position: i, score: c.score, propensity: table.exploit[i]![i - j]!, explored: false });
      }
    }
    return { items, slate_propensity: slateP, propensity_type: 'marginal_position' };
  },

  marginals(input, params) {
    const eps = epsilonByPosition(params);
    const prep = prepare(input);
    const table = dp(prep, eps);
    const out: Array<Map<string, number>> = [];
    for (let i = 0; i < prep.length; i++) {
      const m = new Map<string, number>();
      const row = table.exploit[i]!;
      for (let t = 0; t < row.length; t++) if (row[t]! > 0) m.set(prep.ranked[t]!.item, row[t]!);
      const e = table.explore[i]!;
      if (e > 0) for (const item of prep.pool) m.set(item, e / prep.pool.length);
      out.push(m);
    }
    return out;
  },
};

/**
 * ε_i as a function of the position: ε · w_i capped at 1 (w = 1 without position weights).
 * @throws RangeError on ε outside [0, 1] or a weight that is not finite and ≥ 0
 */
export function epsilonByPosition(params: EpsilonGreedyParams): (i: number) => number {
  const { epsilon, position_weights: w } = params;
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilon must be in [0, 1], got ${epsilon}`);
  if (!w || w.length === 0) return () => epsilon;
  w.forEach((x, i) => {
    if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`position_weights[${i}] must be finite and ≥ 0, got ${x}`);
  });
  return (i) => Math.min(1, epsilon * w[Math.min(i, w.length - 1)]!);
}

/** P(slot i explores | j explores so far), given what is left of each kind. */
function exploreProbability(prep: Prepared, eps: (i: number) => number, i: number, j: number): number {
  const canExplore = j < prep.pool.length;
  const canExploit = i - j < prep.ranked.length;
  if (canExplore && canExploit) return eps(i);
  return canExplore ? 1 : 0;
}

/**
 * explore[i] = P(slot i explores); exploit[i][t] = P(R[t] is shown at slot i).
 * state[j] = P(j explores among slots 0 … i−1).
 */
function dp(prep: Prepared, eps: (i: number) => number): { explore: number[]; exploit: number[][] } {
  const explore: number[] = [];
  const exploit: number[][] = [];
  let state = [1];
  for (let i = 0; i < prep.length; i++) {
    const next = new Array<number>(i + 2).fill(0);
    const row = new Array<number>(Math.min(prep.ranked.length, i + 1)).fill(0);
    let e = 0;
    for (let j = 0; j < state.length; j++) {
      const p = state[j]!;
      if (p === 0) continue;
      const q = exploreProbability(prep, eps, i, j);
      e += p * q;
      if (q < 1) row[i - j] = (row[i - j] ?? 0) + p * (1 - q);
      next[j + 1]! += p * q;
      next[j]! += p * (1 - q);
    }
    explore.push(e);
    exploit.push(row);
    state = next;
  }
  return { explore, exploit };
}
