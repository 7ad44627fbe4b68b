import type { Rng } from '../rng.js';
import type { StrategyName, StrategySpec } from '../schemas/strategy.js';
import { decayingEpsilon } from './decaying-epsilon.js';
import { epsilonGreedy } from './epsilon-greedy.js';
import { softmax } from './softmax.js';
import { thompson } from './thompson.js';
import type { MonteCarloOptions, SlateInput, SlateResult, Strategy, StrategyInput } from './types.js';
import { ucb } from './ucb.js';

export * from './types.js';
export { epsilonGreedy, type EpsilonGreedyParams } from './epsilon-greedy.js';
export { decayingEpsilon, decayedEpsilon, type DecayingEpsilonParams } from './decaying-epsilon.js';
export { softmax, annealedTemperature, plackettLuceProbability, type SoftmaxParams } from './softmax.js';
export { thompson, type ThompsonParams } from './thompson.js';
export { ucb, ucbIndex, type UcbParams } from './ucb.js';
export { replayPropensities, replayMarginals, type SlateDraw, type ReplayPropensities } from './monte-carlo.js';
export { candidateSet, type CandidateSet } from './candidate-set.js';
export { prepare } from './prepare.js';

type SpecOf<N extends StrategyName> = Extract<StrategySpec, { name: N }>;

/** Every strategy by name; a name in `StrategySpec` without an entry here is a compile error. */
export const strategies = {
  'epsilon-greedy': epsilonGreedy,
  'decaying-epsilon': decayingEpsilon,
  softmax,
  thompson,
  ucb,
} satisfies { [N in StrategyName]: Strategy<SpecOf<N>> };

/**
 * The optional inputs (history length, generation, posteriors) the strategy a spec names reads,
 * as its registry entry declares them: what the serving view builds for it.
 */
export function strategyInputs(spec: StrategySpec): readonly StrategyInput[] {
  return strategies[spec.name].inputs;
}

/**
 * Samples a slate with the strategy a spec names.
 * @param spec strategy name and parameters (from the artifact's surface config)
 * @param input ranked candidates, pool, k, exclusions (and history length, generation, posteriors
 *   for the strategies that read them)
 * @param rng seeded from the impression id
 */
export function sampleSlate(spec: StrategySpec, input: SlateInput, rng: Rng): SlateResult {
  const s = strategies[spec.name] as Strategy<StrategySpec>;
  return s.sample(input, spec, rng);
}

/**
 * Marginal P(item at position) table of the strategy a spec names, for tests and off-policy
 * evaluation of that spec as a target policy.
 * @param mc required by Monte-Carlo strategies (softmax, thompson); ignored by exact ones
 */
export function slateMarginals(spec: StrategySpec, input: SlateInput, mc?: MonteCarloOptions): Array<Map<string, number>> {
  const s = strategies[spec.name] as Strategy<StrategySpec>;
  return s.marginals(input, spec, mc);
}
