import type { Rng } from '../rng.js';
import { candidateSet, type CandidateSet } from './candidate-set.js';
import { monteCarloEntries, replayMarginals, replayPropensities } from './monte-carlo.js';
import type { SlateInput, Strategy } from './types.js';
import { gumbel, topK } from './variates.js';

/** Parameters of annealed softmax (see `SoftmaxSpec`). */
export interface SoftmaxParams {
  temperature_0: number;
  alpha: number;
  temperature_min: number;
  anneal_by: 'generation' | 'history';
  candidates?: number | undefined;
  replays: number;
}

/**
 * T_t = max(temperature_min, temperature_0 · (1 − alpha)^t): geometric cooling as in simulated
 * annealing (Kirkpatrick, Gelatt & Vecchi 1983), floored so the distribution never collapses
 * onto the argmax (every candidate keeps a positive propensity).
 * @param params temperature_0 ≥ temperature_min > 0, alpha ∈ [0, 1)
 * @param t annealing step, a non-negative integer
 * @example annealedTemperature({ temperature_0: 1, alpha: 0.5, temperature_min: 0.1, … }, 2) // 0.25
 */
export function annealedTemperature(params: Pick<SoftmaxParams, 'temperature_0' | 'alpha' | 'temperature_min'>, t: number): number {
  const { temperature_0: t0, alpha, temperature_min: tMin } = params;
  if (!(tMin > 0 && Number.isFinite(tMin))) throw new RangeError(`temperature_min must be finite and > 0, got ${tMin}`);
  if (!(t0 >= tMin && Number.isFinite(t0))) throw new RangeError(`temperature_0 must be finite and ≥ temperature_min, got ${t0}`);
  if (!(alpha >= 0 && alpha < 1)) throw new RangeError(`alpha must be in [0, 1), got ${alpha}`);
  if (!(Number.isInteger(t) && t >= 0)) throw new RangeError(`annealing step t must be a non-negative integer, got ${t}`);
  return Math.max(tMin, t0 * Math.pow(1 - alpha, t));
}

/**
 * Softmax (Boltzmann) exploration with an annealed temperature.
 *
 * Procedure: the candidate set C (top `candidates` ranked items + pool, after exclusions) gets
 * log-weights s_x / T_t, where s_x is the model score and a pool item the model did not rank gets
 * the lowest score in C. The slate is a Plackett–Luce draw without replacement: position i takes
 * x from the items left with probability w_x / Σ_{left} w, w_x = exp(s_x / T_t). It is sampled as
 * the top L of s_x / T_t + Gumbel noise (Gumbel-top-k, Kool, van Hoof & Welling 2019, ICML),
 * which has exactly that law. t = `input.generation` or `input.history_length` per `anneal_by`.
 *
 * Propensities: `slate_propensity` is exact (the product of the sequential choice
 * probabilities). The marginals P(x at i) sum over all prefixes and have no closed form, so the
 * shown items' propensities are Monte-Carlo estimates from `replays` seeded replays
 * (`replayPropensities`: p̂ = (1 + X)/(R + 1), standard error in `propensity_se`).
 * `explored` marks an item that differs from the greedy (score-sorted) slate at that position.
 */
export const softmax: Strategy<SoftmaxParams> = {
  inputs: ['history_length', 'generation'],
  sample(input, params, rng) {
    const { set, logits, temperature, t } = setup(input, params);
    const draw = drawer(set, logits);
    const shown = draw(rng);
    const est = replayPropensities(draw, shown, params.replays, rng);
    const greedy = topK(logits, set.length).map((j) => set.items[j]!);
    const index = new Map(set.items.map((x, j) => [x, j]));
    const items = monteCarloEntries(shown, est, greedy, set.scoreOf);
    return {
      items,
      slate_propensity: plackettLuceProbability(logits, shown.map((x) => index.get(x)!)),
      propensity_type: 'marginal_position',
      propensity_method: 'monte_carlo',
      replays: params.replays,
      effective_params: { temperature, t },
    };
  },
  marginals(input, params, mc) {
    if (mc === undefined) throw new RangeError('softmax marginals are Monte-Carlo estimates: pass { rng }');
    const { set, logits } = setup(input, params);
    return replayMarginals(drawer(set, logits), set.length, mc.replays ?? params.replays, mc.rng);
  },
};

function setup(input: SlateInput, params: SoftmaxParams) {
  const t = (params.anneal_by === 'generation' ? input.generation : input.history_length) ?? 0;
  const temperature = annealedTemperature(params, t);
  const set = candidateSet(input, params.candidates);
  let floor = Infinity;
  for (const x of set.items) floor = Math.min(floor, set.scoreOf.get(x) ?? Infinity);
  if (floor === Infinity) floor = 0;
  const logits = set.items.map((x) => (set.scoreOf.get(x) ?? floor) / temperature);
  return { set, logits, temperature, t };
}

function drawer(set: CandidateSet, logits: readonly number[]) {
  const keys = new Float64Array(logits.length);
  return (rng: Rng): string[] => {
    for (let j = 0; j < logits.length; j++) keys[j] = logits[j]! + gumbel(rng);
    return topK(keys, set.length).map((j) => set.items[j]!);
  };
}

/**
 * Probability of an ordered Plackett–Luce draw: Π_i exp(l_{x_i}) / Σ_{y not yet drawn} exp(l_y),
 * computed in log space so large logits cannot overflow.
 */
export function plackettLuceProbability(logits: readonly number[], picked: readonly number[]): number {
  const left = new Set(logits.keys());
  let logP = 0;
  for (const j of picked) {
    let max = -Infinity;
    for (const y of left) max = Math.max(max, logits[y]!);
    let sum = 0;
    for (const y of left) sum += Math.exp(logits[y]! - max);
    logP += logits[j]! - max - Math.log(sum);
    left.delete(j);
  }
  return Math.exp(logP);
}
