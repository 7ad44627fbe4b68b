import type { Rng } from '../rng.js';
import { candidateSet, posteriorsOf } from './candidate-set.js';
import { monteCarloEntries, replayMarginals, replayPropensities } from './monte-carlo.js';
import type { BetaPosterior, Strategy } from './types.js';
import { betaVariate, topK } from './variates.js';

/** Parameters of Thompson sampling (see `ThompsonSpec`). */
export interface ThompsonParams {
  prior_alpha: number;
  prior_beta: number;
  candidates?: number | undefined;
  replays: number;
}

/**
 * Thompson sampling for slates (Thompson 1933; Chapelle & Li 2011, "An empirical evaluation of
 * Thompson sampling", NeurIPS): draw θ_x ~ Beta(alpha_x, beta_x) once for every x in the candidate
 * set C (top `candidates` ranked items + pool, after exclusions) and show the L = min(k, |C|)
 * items with the largest θ, best first. (alpha_x, beta_x) is `input.posteriors.get(x)`, else the
 * prior (prior_alpha, prior_beta). Personalisation enters through C; the posteriors order it.
 *
 * Propensities: P(x at i) is an integral over every other item's posterior with no closed form,
 * so the shown items' propensities and `slate_propensity` are Monte-Carlo estimates from
 * `replays` seeded replays (`replayPropensities`: p̂ = (1 + X)/(R + 1), standard error in
 * `propensity_se`). `explored` marks an item that differs from the slate sorted by posterior mean.
 */
export const thompson: Strategy<ThompsonParams> = {
  inputs: ['posteriors'],
  sample(input, params, rng) {
    const set = candidateSet(input, params.candidates);
    const post = posteriorsOf(input, set.items, params.prior_alpha, params.prior_beta);
    const draw = drawer(set.items, post, set.length);
    const shown = draw(rng);
    const est = replayPropensities(draw, shown, params.replays, rng);
    const greedy = topK(post.map((p) => p.alpha / (p.alpha + p.beta)), set.length).map((j) => set.items[j]!);
    const items = monteCarloEntries(shown, est, greedy, set.scoreOf);
    return {
      items,
      slate_propensity: est.slate,
      propensity_type: 'marginal_position',
      propensity_method: 'monte_carlo',
      replays: params.replays,
    };
  },
  marginals(input, params, mc) {
    if (mc === undefined) throw new RangeError('thompson marginals are Monte-Carlo estimates: pass { rng }');
    const set = candidateSet(input, params.candidates);
    const post = posteriorsOf(input, set.items, params.prior_alpha, params.prior_beta);
    return replayMarginals(drawer(set.items, post, set.length), set.length, mc.replays ?? params.replays, mc.rng);
  },
};

function drawer(items: readonly string[], post: readonly BetaPosterior[], length: number) {
  const theta = new Float64Array(items.length);
  return (rng: Rng): string[] => {
    for (let j = 0; j < items.length; j++) theta[j] = betaVariate(rng, post[j]!.alpha, post[j]!.beta);
    return topK(theta, length).map((j) => items[j]!);
  };
}
