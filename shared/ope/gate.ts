import type { Estimate } from './types.js';

/** An operator's override of the gate, recorded with the decision. */
export interface GateOverride {
  operator: string;
  reason: string;
}

/** How the gate reached its verdict. */
export type GateOutcome = 'pass' | 'reject' | 'inconclusive';

/** The deploy gate's verdict, for the manifest and the run report. */
export interface GateDecision {
  publish: boolean;
  /** True when an operator override published a candidate the rule rejected. */
  forced: boolean;
  /** One line saying why. */
  reason: string;
  outcome: GateOutcome;
  tolerance: number;
  /** The margin m the difference was held to (see `gateDecision`). */
  margin: number;
  /** Δ̂ = V̂(candidate) − V̂(serving) with its interval. */
  difference: Estimate;
  override: GateOverride | null;
}

/** The rule's settings beyond the absolute tolerance. */
export interface GateRule {
  /** Margin as a share of the serving version's estimated value (e.g. 0.05 = 5%); default 0. */
  relativeMargin?: number;
  /** V̂(serving), reward per sample, for the relative margin. */
  servingValue?: number;
  /**
   * Effective sample size of the candidate's weights, and the least that counts as the log
   * covering it; below it the reason says the estimate rests on the reward model (the doubly
   * robust estimate's direct part), which still decides: the gate judges the candidate's files
   * either way, and there is no separate path that could publish a broken candidate unseen.
   */
  ess?: number;
  minEss?: number;
}

/**
 * The deploy rule, with power and without lock-in. With margin m = tolerance + relativeMargin ·
 * |V̂(serving)| and the interval [lo, hi] of Δ = V(candidate) − V(serving):
 * - hi < −m: the data say the candidate is worse by more than the margin → reject;
 * - lo > −m: the data rule out that it is worse by more than the margin → publish;
 * - otherwise inconclusive → publish iff Δ̂ ≥ −m.
 * Rejecting only what the data show to be worse keeps a noisy estimate (few clicks, little
 * exploration) from blocking a better candidate — the earlier rule, publish only when lo > −tol,
 * held back truly better candidates for rounds on wide intervals. Ties pass, so a version the logs
 * cannot tell apart from the serving one is never locked out. An override publishes a rejected
 * candidate and is recorded (`forced`).
 * @param difference from `difference` / `slateDifference`
 * @param tolerance ≥ 0, in reward units per sample (per impression for slates)
 * @param override operator `--force`
 * @example gateDecision(slateDifference(log, cand, serv), 0.01).publish
 */
export function gateDecision(difference: Estimate, tolerance: number, override?: GateOverride, rule: GateRule = {}): GateDecision {
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw new RangeError(`tolerance must be finite and ≥ 0, got ${tolerance}`);
  const rel = rule.relativeMargin ?? 0;
  if (!(rel >= 0 && Number.isFinite(rel))) throw new RangeError(`relativeMargin must be finite and ≥ 0, got ${rel}`);
  const margin = tolerance + rel * Math.abs(rule.servingValue ?? 0);
  const [lo, hi] = difference.ci;
  const pct = Math.round(difference.level * 100);
  const m = `−${margin.toPrecision(3)}`;
  let outcome: GateOutcome;
  let publish: boolean;
  let reason: string;
  if (hi < -margin) {
    outcome = 'reject';
    publish = false;
    reason = `upper ${pct}% bound of candidate − serving = ${hi.toPrecision(4)} < ${m}: worse beyond the margin`;
  } else if (lo > -margin) {
    outcome = 'pass';
    publish = true;
    reason = `lower ${pct}% bound of candidate − serving = ${lo.toPrecision(4)} > ${m}`;
  } else {
    outcome = 'inconclusive';
    publish = difference.estimate >= -margin;
    reason = `interval [${lo.toPrecision(4)}, ${hi.toPrecision(4)}] straddles ${m}; point estimate ${difference.estimate.toPrecision(4)} ${publish ? '≥' : '<'} ${m}`;
  }
  if (rule.ess !== undefined && rule.minEss !== undefined && rule.ess < rule.minEss) {
    reason += ` (the log barely covers the candidate, ESS ${rule.ess.toFixed(1)} < ${rule.minEss}: the reward model carries the estimate)`;
  }
  if (!publish && override !== undefined) {
    return { publish: true, forced: true, outcome, reason: `${reason}; forced by ${override.operator}: ${override.reason}`, tolerance, margin, difference, override };
  }
  return { publish, forced: false, outcome, reason, tolerance, margin, difference, override: override ?? null };
}
