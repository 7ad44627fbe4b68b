import type { Rng } from '../rng.js';
import type { StrategyName, StrategySpec } from '../schemas/strategy.js';
import { epsilonGreedy } from './epsilon-greedy.js';
import type { SlateInput, SlateResult, Strategy } from './types.js';

export * from './types.js';
export { epsilonGreedy, type EpsilonGreedyParams } from './epsilon-greedy.js';
export { prepare } from './prepare.js';

type SpecOf<N extends StrategyName> = Extract<StrategySpec, { name: N }>;

/** Every strategy by name; a name in `StrategySpec` without an entry here is a compile error. */
export const strategies = {
  'epsilon-greedy': epsilonGreedy,
} satisfies { [N in StrategyName]: Strategy<SpecOf<N>> };

/**
 * Samples a slate with the strategy a spec names.
 * @param spec strategy name and parameters (from the artifact's surface config)
 * @param input ranked candidates, pool, k, exclusions
 * @param rng seeded from the impression id
 */
export function sampleSlate(spec: StrategySpec, input: SlateInput, rng: Rng): SlateResult {
  const s = strategies[spec.name] as Strategy<StrategySpec>;
  return s.sample(input, spec, rng);
}

/**
 * Marginal P(item at position) table of the strategy a spec names, for tests and off-policy
 * evaluation of that spec as a target policy.
 */
export function slateMarginals(spec: StrategySpec, input: SlateInput): Array<Map<string, number>> {
  const s = strategies[spec.name] as Strategy<StrategySpec>;
  return s.marginals(input, spec);
}
