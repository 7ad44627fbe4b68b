import { slateMarginals } from '../explore/index.js';
import type { MonteCarloOptions, SlateInput } from '../explore/types.js';
import type { StrategySpec } from '../schemas/strategy.js';
import { differenceFromTerms, estimateFromTerms } from './interval.js';
import { toSlateData, type LoggedSlate } from './logged-slate.js';
import { slateIpsTerms, type SlateIpsOptions } from './slate-ips.js';
import type { Estimate, IntervalOptions } from './types.js';

/** A logged slate with the strategy input it was drawn from (candidates, pool, k, exclusions …). */
export interface ExplorationLog {
  input: SlateInput;
  slate: LoggedSlate;
}

export interface ChooseEpsilonOptions extends SlateIpsOptions, IntervalOptions {
  /** Epsilons to consider, each in [0, 1]; `current` is always considered too. */
  candidates: readonly number[];
  /** The epsilon the surface serves now (the one that logged the data); must be > 0. */
  current: number;
  /** How much worse than current (lower confidence bound of the difference) a choice may be. */
  tolerance: number;
  /** Least epsilon allowed, default 0; see the rule. */
  floor?: number;
  /** The strategy spec for an epsilon; default epsilon-greedy. E.g. decaying epsilon's epsilon_0. */
  specFor?: (epsilon: number) => StrategySpec;
  /** Needed only when `specFor` names a Monte-Carlo strategy. */
  mc?: MonteCarloOptions;
}

/** One considered epsilon. */
export interface EpsilonCandidate {
  epsilon: number;
  /** V̂(ε) by the per-position slate estimator. */
  value: Estimate;
  /** V̂(ε) − V̂(current), paired. */
  difference: Estimate;
  eligible: boolean;
}

export interface EpsilonChoice {
  epsilon: number;
  changed: boolean;
  /** One line saying why, for the run report. */
  reason: string;
  candidates: EpsilonCandidate[];
}

/**
 * Chooses a surface's epsilon from off-policy estimates. The rule:
 *
 * 1. For every candidate ε (and the current ε_0), compute the target marginals
 *    π_ε(a_{i,l} at l | x_i) of each logged slate from its input, and estimate
 *    V̂(ε) = `slateIps` and Δ̂(ε) = V̂(ε) − V̂(ε_0) (paired, same log).
 * 2. ε is eligible when ε ≥ floor and the lower confidence bound of Δ̂(ε) is > −tolerance (the
 *    current ε is always eligible): the data rule out that it is worse than now beyond the
 *    tolerance — the same test the deploy gate applies to a whole version.
 * 3. Choose the eligible ε with the largest V̂(ε); ties go to the larger ε (same value, more
 *    exploration).
 *
 * Why a floor: off-policy estimates price the cost of exploring (shown pool items earn less now)
 * but not its benefit (what the next model learns, and the support future evaluations need), so
 * left alone the rule drifts towards ε = 0. The floor is that benefit's price, set by the operator.
 * Support: V̂ is unbiased only where the log has support, i.e. ε_0 > 0 so every pool item had a
 * positive propensity; hence `current` must be > 0.
 * @param logs slates logged with ε_0, each with its input and per-position rewards
 */
export function chooseEpsilon(logs: readonly ExplorationLog[], options: ChooseEpsilonOptions): EpsilonChoice {
  const { current, tolerance } = options;
  const floor = options.floor ?? 0;
  const unit = (name: string, x: number) => {
    if (!(x >= 0 && x <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${x}`);
  };
  unit('current', current);
  if (current === 0) throw new RangeError('current must be > 0: an epsilon of 0 logs no support for other epsilons');
  unit('floor', floor);
  options.candidates.forEach((e, j) => unit(`candidates[${j}]`, e));
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw new RangeError(`tolerance must be finite and ≥ 0, got ${tolerance}`);
  const specFor = options.specFor ?? ((epsilon: number): StrategySpec => ({ name: 'epsilon-greedy', epsilon }));
  const slates = logs.map((l) => l.slate);
  const termsFor = (epsilon: number) => {
    const tables = logs.map((l) => slateMarginals(specFor(epsilon), l.input, options.mc));
    return slateIpsTerms(toSlateData(slates, (_s, position, item, i) => tables[i]![position]?.get(item) ?? 0), options);
  };
  const base = termsFor(current);
  const epsilons = [...new Set([current, ...options.candidates])].sort((a, b) => a - b);
  const candidates = epsilons.map((epsilon): EpsilonCandidate => {
    const terms = epsilon === current ? base : termsFor(epsilon);
    const difference = differenceFromTerms(terms, base, options);
    const eligible = epsilon === current || (epsilon >= floor && difference.ci[0] > -tolerance);
    return { epsilon, value: estimateFromTerms(terms, options), difference, eligible };
  });
  let best = candidates.find((c) => c.epsilon === current)!;
  for (const c of candidates) if (c.eligible && c.value.estimate >= best.value.estimate) best = c;
  const reason =
    best.epsilon === current
      ? `kept ε = ${current}: no eligible epsilon has a higher estimated value`
      : `ε ${current} → ${best.epsilon}: V̂ ${best.value.estimate.toPrecision(4)} vs ${candidates.find((c) => c.epsilon === current)!.value.estimate.toPrecision(4)}, lower bound of the difference ${best.difference.ci[0].toPrecision(4)} > −${tolerance}`;
  return { epsilon: best.epsilon, changed: best.epsilon !== current, reason, candidates };
}
