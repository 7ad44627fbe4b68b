import type { Estimate } from './types.js';

/** An operator's override of the gate, recorded with the decision. */
export interface GateOverride {
  operator: string;
  reason: string;
}

/** The deploy gate's verdict, for the manifest and the run report. */
export interface GateDecision {
  publish: boolean;
  /** True when an operator override published a candidate the rule rejected. */
  forced: boolean;
  /** One line saying why. */
  reason: string;
  tolerance: number;
  /** Δ̂ = V̂(candidate) − V̂(serving) with its interval. */
  difference: Estimate;
  override: GateOverride | null;
}

/**
 * The deploy rule: publish the candidate only when the lower confidence bound of
 * Δ = V(candidate) − V(serving) is above −tolerance, i.e. when the data rule out (at the
 * interval's level) that the candidate is worse by more than the tolerance. A candidate equal to
 * the serving policy passes once the interval is tighter than the tolerance; with too little data
 * the interval is wide and the gate holds the serving version. An override publishes anyway and
 * is recorded (`forced`).
 * @param difference from `difference` / `slateDifference`
 * @param tolerance ≥ 0, in reward units per sample (per impression for slates)
 * @param override operator `--force`
 * @example gateDecision(slateDifference(log, cand, serv), 0.01).publish
 */
export function gateDecision(difference: Estimate, tolerance: number, override?: GateOverride): GateDecision {
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw new RangeError(`tolerance must be finite and ≥ 0, got ${tolerance}`);
  const [lo] = difference.ci;
  const passes = lo > -tolerance;
  const bound = `lower ${Math.round(difference.level * 100)}% bound of candidate − serving = ${lo.toPrecision(4)}`;
  const reason = passes ? `${bound} > −${tolerance}` : `${bound} ≤ −${tolerance}`;
  if (!passes && override !== undefined) {
    return { publish: true, forced: true, reason: `${reason}; forced by ${override.operator}: ${override.reason}`, tolerance, difference, override };
  }
  return { publish: passes, forced: false, reason, tolerance, difference, override: override ?? null };
}
