import { prepare, type Prepared } from './prepare.js';
import type { SlateEntry, Strategy } from './types.js';

/** Parameters of epsilon-greedy. */
export interface EpsilonGreedyParams {
  /** Probability that a position is filled from the exploration pool, in [0, 1]. */
  epsilon: number;
}

/**
 * Epsilon-greedy slate exploration by per-position replacement.
 *
 * Procedure, position i = 0 … L−1 (L = min(k, |R| + |E|)), with R the distinct ranked
 * candidates and E the pool minus exclusions minus the top-k of R:
 * - with j explores so far, the slot explores with probability ε when both an unused pool item
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
  sample(input, params, rng) {
    checkEpsilon(params.epsilon);
    const prep = prepare(input);
    const table = dp(prep, params.epsilon);
    const pool = prep.pool.slice();
    const items: SlateEntry[] = [];
    let j = 0;
    let slateP = 1;
    for (let i = 0; i < prep.length; i++) {
      const pExplore = exploreProbability(prep, params.epsilon, i, j);
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
    checkEpsilon(params.epsilon);
    const prep = prepare(input);
    const table = dp(prep, params.epsilon);
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

function checkEpsilon(epsilon: number): void {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilon must be in [0, 1], got ${epsilon}`);
}

/** P(slot i explores | j explores so far), given what is left of each kind. */
function exploreProbability(prep: Prepared, epsilon: number, i: number, j: number): number {
  const canExplore = j < prep.pool.length;
  const canExploit = i - j < prep.ranked.length;
  if (canExplore && canExploit) return epsilon;
  return canExplore ? 1 : 0;
}

/**
 * explore[i] = P(slot i explores); exploit[i][t] = P(R[t] is shown at slot i).
 * state[j] = P(j explores among slots 0 … i−1).
 */
function dp(prep: Prepared, epsilon: number): { explore: number[]; exploit: number[][] } {
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
      const q = exploreProbability(prep, epsilon, i, j);
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
