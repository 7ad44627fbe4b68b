import { candidateSet, posteriorsOf } from './candidate-set.js';
import { epsilonGreedy } from './epsilon-greedy.js';
import type { Candidate, SlateInput, Strategy } from './types.js';

/** Parameters of UCB (see `UcbSpec`). */
export interface UcbParams {
  c: number;
  epsilon: number;
  prior_alpha: number;
  prior_beta: number;
  candidates?: number | undefined;
}

/**
 * Upper confidence index of a Beta(alpha, beta) posterior:
 *   u = m + c · sd,  m = alpha / (alpha + beta),  sd = sqrt(m (1 − m) / (alpha + beta + 1)).
 * A Bayes-UCB style optimism bonus (Kaufmann, Cappé & Garivier 2012, AISTATS) using the posterior
 * standard deviation instead of a quantile, so it needs no incomplete-beta inverse.
 */
export function ucbIndex(alpha: number, beta: number, c: number): number {
  const m = alpha / (alpha + beta);
  return m + c * Math.sqrt((m * (1 - m)) / (alpha + beta + 1));
}

/**
 * UCB: sort the candidate set C (top `candidates` ranked items + pool, after exclusions) by
 * `ucbIndex` of each item's posterior (ties keep model order), then run epsilon-greedy on that
 * ranking with the same pool. The ranking is deterministic given the inputs, so the propensities
 * are epsilon-greedy's exact marginals; with epsilon = 0 every shown item has propensity 1 and
 * the logs support no other policy, hence the epsilon. Each slate item's `score` is its UCB index.
 */
export const ucb: Strategy<UcbParams> = {
  inputs: ['posteriors'],
  sample(input, params, rng) {
    return { ...epsilonGreedy.sample(reranked(input, params), { epsilon: params.epsilon }, rng), propensity_method: 'exact' };
  },
  marginals(input, params) {
    return epsilonGreedy.marginals(reranked(input, params), { epsilon: params.epsilon });
  },
};

function reranked(input: SlateInput, params: UcbParams): SlateInput {
  if (!(params.c >= 0 && Number.isFinite(params.c))) throw new RangeError(`c must be finite and ≥ 0, got ${params.c}`);
  const set = candidateSet(input, params.candidates);
  const post = posteriorsOf(input, set.items, params.prior_alpha, params.prior_beta);
  const ranked: Candidate[] = set.items
    .map((item, j) => ({ item, score: ucbIndex(post[j]!.alpha, post[j]!.beta, params.c), j }))
    .sort((a, b) => b.score - a.score || a.j - b.j)
    .map(({ item, score }) => ({ item, score }));
  return { ...input, ranked, exclude: input.exclude };
}
