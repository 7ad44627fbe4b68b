import { epsilonGreedy } from './epsilon-greedy.js';
import type { SlateInput, Strategy } from './types.js';

/** Parameters of decaying epsilon (see `DecayingEpsilonSpec`). */
export interface DecayingEpsilonParams {
  epsilon_0: number;
  epsilon_min: number;
  tau: number;
}

/**
 * epsilon_n = max(epsilon_min, epsilon_0 / (1 + n / tau)).
 * @param params epsilon_0 ≥ epsilon_min, both in [0, 1]; tau > 0
 * @param n the user's history length, a non-negative integer
 * @returns the epsilon a user with history n gets
 * @throws RangeError on parameters out of range
 * @example decayedEpsilon({ epsilon_0: 0.3, epsilon_min: 0.05, tau: 20 }, 20) // 0.15
 */
export function decayedEpsilon(params: DecayingEpsilonParams, n: number): number {
  const { epsilon_0, epsilon_min, tau } = params;
  if (!(epsilon_0 >= 0 && epsilon_0 <= 1)) throw new RangeError(`epsilon_0 must be in [0, 1], got ${epsilon_0}`);
  if (!(epsilon_min >= 0 && epsilon_min <= epsilon_0)) throw new RangeError(`epsilon_min must be in [0, epsilon_0], got ${epsilon_min}`);
  if (!(tau > 0 && Number.isFinite(tau))) throw new RangeError(`tau must be finite and > 0, got ${tau}`);
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`history_length must be a non-negative integer, got ${n}`);
  return Math.max(epsilon_min, epsilon_0 / (1 + n / tau));
}

/**
 * Decaying epsilon: epsilon-greedy run with epsilon_n, n = `input.history_length` (0 when absent),
 * so users with little history explore more. Propensities are epsilon-greedy's exact marginals at
 * epsilon_n; `effective_params` records `{ epsilon, n }` so the log can replay it.
 */
export const decayingEpsilon: Strategy<DecayingEpsilonParams> = {
  inputs: ['history_length'],
  sample(input, params, rng) {
    const { epsilon, n } = effective(input, params);
    return { ...epsilonGreedy.sample(input, { epsilon }, rng), propensity_method: 'exact', effective_params: { epsilon, n } };
  },
  marginals(input, params) {
    return epsilonGreedy.marginals(input, { epsilon: effective(input, params).epsilon });
  },
};

function effective(input: SlateInput, params: DecayingEpsilonParams): { epsilon: number; n: number } {
  const n = input.history_length ?? 0;
  return { epsilon: decayedEpsilon(params, n), n };
}
