import { gateDecision } from '../ope/gate.js';
import { estimateFromTerms, normalQuantile } from '../ope/interval.js';
import type { Estimate } from '../ope/types.js';
import { hash32 } from '../rng.js';
import type { Canary } from '../schemas/artifact.js';

/**
 * Canaries: a candidate the logs cannot judge is served to a hashed share of users beside the
 * serving version, and the next batch run promotes it or rolls it back on that traffic — an
 * on-policy comparison, where the deploy gate's off-policy estimate needs the log to cover the
 * candidate (docs/architecture.md, "The canary").
 */

/**
 * Whether a user is in the canary's share. The hash mixes the canary's version into the user key,
 * so each canary draws its own users (the same users are not the test group of every canary), and
 * a user stays in one arm for the canary's whole life (arms are compared per user).
 * @param userKey the HMAC user key (uniform hex)
 */
export function inCanary(userKey: string, canary: Pick<Canary, 'version' | 'share'>): boolean {
  return hash32(`${canary.version}:${userKey}`) / 4294967296 < canary.share;
}

/** One arm's traffic since the canary started: per user, the slates served and the rewards they drew. */
export interface ArmTraffic {
  slates: ArrayLike<number>;
  rewards: ArrayLike<number>;
}

export type CanaryOutcome = 'promote' | 'rollback' | 'wait';

export interface CanaryVerdict {
  outcome: CanaryOutcome;
  reason: string;
  /** Reward per slate in each arm, and canary − control with its interval (per-user clusters). */
  canary: Estimate | null;
  control: Estimate | null;
  difference: { estimate: number; ci: [number, number]; level: number } | null;
  margin: number | null;
  users: { canary: number; control: number };
}

/** The rule's settings: the deploy gate's margin, the interval level, the least traffic to judge on. */
export interface CanaryRule {
  tolerance: number;
  /** Margin as a share of the control arm's reward per slate (the gate's 5%). */
  relativeMargin: number;
  /** Coverage of the interval; default 0.95. */
  level?: number;
  /** Users each arm needs before the canary is judged; default 30. */
  minUsers?: number;
}

/**
 * Promote or roll back a canary on its own traffic, by the deploy gate's rule
 * (`gateDecision`) with m = tolerance + relativeMargin · V(control): roll back when the upper
 * bound of canary − control is below −m, promote when the lower bound is above −m, and in
 * between let the point estimate decide (ties promote: no lock-in). Each arm's value is reward
 * per slate, Σ rewards / Σ slates over its users, with the delta-method interval of that ratio
 * over users — users, not slates, are the independent units (the arm is drawn per user, and one
 * user's slates are alike). Arms are disjoint, so the variances add. Too few users in either arm:
 * wait (the canary keeps serving).
 */
export function canaryVerdict(canary: ArmTraffic, control: ArmTraffic, rule: CanaryRule): CanaryVerdict {
  const level = rule.level ?? 0.95;
  const minUsers = rule.minUsers ?? 30;
  const users = { canary: active(canary), control: active(control) };
  if (users.canary < minUsers || users.control < minUsers) {
    return { outcome: 'wait', reason: `too little traffic to judge: ${users.canary} canary and ${users.control} control users (need ${minUsers} each)`, canary: null, control: null, difference: null, margin: null, users };
  }
  const arm = (t: ArmTraffic) => estimateFromTerms({ estimator: 'reward per slate', a: t.rewards, b: t.slates, ess: active(t) }, { level });
  const c = arm(canary);
  const o = arm(control);
  const z = normalQuantile(1 - (1 - level) / 2);
  const se = Math.hypot((c.ci[1] - c.ci[0]) / (2 * z), (o.ci[1] - o.ci[0]) / (2 * z));
  const d = c.estimate - o.estimate;
  const ci: [number, number] = [d - z * se, d + z * se];
  // The deploy gate's rule, on the on-policy difference: its reject is a rollback, its publish a promotion.
  const difference = { estimator: 'canary − control', estimate: d, ci, ciMethod: 'normal' as const, level, n: users.canary + users.control, ess: users.canary + users.control };
  const g = gateDecision(difference, rule.tolerance, undefined, { relativeMargin: rule.relativeMargin, servingValue: o.estimate });
  const reason = `${g.reason} (${c.estimate.toPrecision(4)} against ${o.estimate.toPrecision(4)} per slate; ${users.canary} and ${users.control} users)`;
  return { outcome: g.publish ? 'promote' : 'rollback', reason, canary: c, control: o, difference: { estimate: d, ci, level }, margin: g.margin, users };
}

function active(t: ArmTraffic): number {
  let n = 0;
  for (let i = 0; i < t.slates.length; i++) if (t.slates[i]! > 0) n++;
  return n;
}
