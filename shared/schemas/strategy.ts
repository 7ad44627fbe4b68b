import { z } from 'zod';

/** Per-position multipliers of epsilon (ε_i = min(1, ε · w_i); the last weight covers later positions). */
const PositionWeights = z.array(z.number().min(0).finite()).min(1).max(100);

/**
 * Epsilon-greedy: each position explores from the pool with probability epsilon, or
 * min(1, epsilon · position_weights[i]) when position weights are given.
 */
export const EpsilonGreedySpec = z.object({
  name: z.literal('epsilon-greedy'),
  epsilon: z.number().min(0).max(1),
  position_weights: PositionWeights.optional(),
});

/**
 * Decaying epsilon: epsilon-greedy with epsilon_n = max(epsilon_min, epsilon_0 / (1 + n / tau)),
 * n = the user's history length (`SlateInput.history_length`). New users explore most.
 */
export const DecayingEpsilonSpec = z
  .object({
    name: z.literal('decaying-epsilon'),
    epsilon_0: z.number().min(0).max(1),
    epsilon_min: z.number().min(0).max(1),
    /** History length at which epsilon has halved (before the floor). */
    tau: z.number().positive().finite(),
  })
  .refine((s) => s.epsilon_min <= s.epsilon_0, { message: 'epsilon_min must be ≤ epsilon_0', path: ['epsilon_min'] });

/** Size of the candidate set the sampling strategies draw from: the top `candidates` ranked items plus the pool. */
const Candidates = z.number().int().positive().optional();
/** Monte-Carlo replays per slate for the propensities; the standard error is about sqrt(p(1 − p)/(replays + 1)). */
const Replays = z.number().int().min(1).max(100_000);

/**
 * Softmax (Boltzmann) ranking: Plackett–Luce sampling without replacement with weights
 * exp(score / T_t), T_t = max(temperature_min, temperature_0 · (1 − alpha)^t), t the artifact
 * generation or the user's history length (`anneal_by`). Propensities by Monte-Carlo replays.
 */
export const SoftmaxSpec = z
  .object({
    name: z.literal('softmax'),
    temperature_0: z.number().positive().finite(),
    alpha: z.number().min(0).lt(1),
    temperature_min: z.number().positive().finite(),
    anneal_by: z.enum(['generation', 'history']),
    candidates: Candidates,
    replays: Replays,
  })
  .refine((s) => s.temperature_min <= s.temperature_0, { message: 'temperature_min must be ≤ temperature_0', path: ['temperature_min'] });

/**
 * Thompson sampling: rank the candidate set by one draw per item from its Beta reward posterior
 * (`SlateInput.posteriors`, or the prior). Propensities by Monte-Carlo replays.
 */
export const ThompsonSpec = z.object({
  name: z.literal('thompson'),
  prior_alpha: z.number().positive().finite(),
  prior_beta: z.number().positive().finite(),
  candidates: Candidates,
  replays: Replays,
});

/**
 * UCB: rank the candidate set by posterior mean + c · posterior standard deviation (Bayes-UCB
 * style, deterministic), then explore with epsilon-greedy on that ranking. Exact propensities.
 */
export const UcbSpec = z.object({
  name: z.literal('ucb'),
  c: z.number().min(0).finite(),
  epsilon: z.number().min(0).max(1),
  prior_alpha: z.number().positive().finite(),
  prior_beta: z.number().positive().finite(),
  candidates: Candidates,
});

/**
 * Which exploration strategy a surface uses, with its parameters. Recorded verbatim in every
 * impression so the logged propensities can be recomputed. New strategies join this union and the
 * registry in `shared/explore/index.ts` (the compiler checks the two agree).
 */
export const StrategySpec = z.discriminatedUnion('name', [EpsilonGreedySpec, DecayingEpsilonSpec, SoftmaxSpec, ThompsonSpec, UcbSpec]);
export type StrategySpec = z.infer<typeof StrategySpec>;
export type StrategyName = StrategySpec['name'];
