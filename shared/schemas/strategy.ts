import { z } from 'zod';

/** Epsilon-greedy: each position explores from the pool with probability epsilon. */
export const EpsilonGreedySpec = z.object({
  name: z.literal('epsilon-greedy'),
  epsilon: z.number().min(0).max(1),
});

/**
 * Which exploration strategy a surface uses, with its parameters. Recorded verbatim in every
 * impression so the logged propensities can be recomputed. New strategies join this union and the
 * registry in `shared/explore/index.ts` (the compiler checks the two agree).
 */
export const StrategySpec = z.discriminatedUnion('name', [EpsilonGreedySpec]);
export type StrategySpec = z.infer<typeof StrategySpec>;
export type StrategyName = StrategySpec['name'];
