import { slateIps } from '../../shared/ope/slate-ips.js';
import { slateDifference } from '../../shared/ope/difference.js';
import { gateDecision, type GateOverride } from '../../shared/ope/gate.js';
import type { Estimate } from '../../shared/ope/types.js';
import type { RewardMap } from '../config/rewards.js';
import type { BatchConfig } from '../config/config.js';
import type { DeploymentGate, GateInput, GateVerdict } from '../publish/gate.js';
import type { Progress } from '../util/progress.js';
import { readLakeSlates, type LoggedImpression } from './lake-slates.js';
import { slateLog, VersionTarget } from './policy-view.js';

/** Defaults of the deploy gate. */
export const GATE_DEFAULTS = {
  /** Reward per impression the candidate may be worse by, besides the relative margin. */
  tolerance: 0,
  /** Share of the serving value the candidate may be worse by (the margin the interval is held to). */
  relativeMargin: 0.05,
  /**
   * Fewer effective samples than this: the logs cannot evaluate the candidate (holdout sanity
   * check decides). Low: a re-ranked candidate matches few logged (item, position) pairs, so its
   * ESS is often 5–20 impressions while its interval is already decisive (long-tail world).
   */
  minEss: 3,
  /** The newest impressions evaluated. */
  maxImpressions: 20_000,
  /** Fewer logged impressions than this: the gate passes and says so (an interval would be noise). */
  minImpressions: 200,
} as const;

export interface OpeGateOptions {
  tolerance: number;
  relativeMargin?: number;
  minEss?: number;
  /** Operator override (`--force --force-reason …`): publishes a rejected candidate, recorded. */
  override?: GateOverride;
  maxImpressions?: number;
  minImpressions?: number;
  rewards: RewardMap;
  attributionWindowMs: number;
  /** Interval coverage, default 0.95. */
  level?: number;
  progress?: Progress;
}

/** What `manifest.gate` and the run record hold (besides `publish` and `reason`). */
export interface OpeGateVerdict extends GateVerdict {
  gate: 'ope-slate-ips';
  /** False when the gate passed without evaluating (no serving version, too few logs). */
  evaluated: boolean;
  forced: boolean;
  tolerance: number;
  serving_version: string | null;
  candidate_version: string;
  /** Impressions evaluated (the newest ones in the lake). */
  n: number;
  min_impressions: number;
  /** How the rule decided (`gateDecision`): pass, reject, inconclusive, unsupported; null when not evaluated. */
  outcome: string | null;
  /** The margin the difference was held to (tolerance + relative margin × serving value). */
  margin: number | null;
  /** Δ̂ = V̂(candidate) − V̂(serving), per-position slate IPS, paired; reward per impression. */
  difference: Estimate | null;
  candidate_value: Estimate | null;
  serving_value: Estimate | null;
  override: GateOverride | null;
  ms: number;
}

/**
 * The deploy gate of `batch run`: evaluates the candidate against the serving version on the
 * newest logged impressions of the lake, with the per-position slate estimator over the logged
 * `marginal_position` propensities (`slateDifference`, paired), and publishes only when the lower
 * confidence bound of V(candidate) − V(serving) is above −tolerance (`gateDecision`). Each
 * version is evaluated as the edge would serve it (`VersionTarget`). With no serving version, or
 * fewer than `minImpressions` logged impressions, it passes and says why.
 */
export function opeGate(o: OpeGateOptions): DeploymentGate {
  return async (input: GateInput): Promise<OpeGateVerdict> => {
    const t0 = performance.now();
    const min = o.minImpressions ?? GATE_DEFAULTS.minImpressions;
    const base = {
      gate: 'ope-slate-ips' as const,
      tolerance: o.tolerance,
      serving_version: input.serving?.version ?? null,
      candidate_version: input.candidate.version,
      min_impressions: min,
      override: o.override ?? null,
    };
    const pass = (reason: string, n: number): OpeGateVerdict => ({
      ...base,
      publish: true,
      reason,
      evaluated: false,
      forced: false,
      outcome: null,
      margin: null,
      n,
      difference: null,
      candidate_value: null,
      serving_value: null,
      ms: Math.round(performance.now() - t0),
    });
    if (!input.serving) return pass('no serving version: nothing to compare with', 0);
    const logs = await readLakeSlates(input.duck, input.lake, { limit: o.maxImpressions ?? GATE_DEFAULTS.maxImpressions, rewards: o.rewards, attributionWindowMs: o.attributionWindowMs });
    if (logs.length < min) return pass(`only ${logs.length} logged impressions (< ${min}): too few to evaluate`, logs.length);
    const serving = await VersionTarget.fromStore(input.store, input.serving);
    const candidate = VersionTarget.fromFiles(input.candidate.version, input.candidate.files);
    const r = await compareVersions(logs, candidate, serving, { level: o.level ?? 0.95 });
    const minEss = o.minEss ?? GATE_DEFAULTS.minEss;
    const d = gateDecision(r.difference, o.tolerance, o.override, {
      relativeMargin: o.relativeMargin ?? GATE_DEFAULTS.relativeMargin,
      servingValue: r.serving.estimate,
      ess: r.candidate.ess,
      minEss,
      ...(r.candidate.ess < minEss ? { fallback: holdoutEvidence(input.candidate.metrics) } : {}),
    });
    o.progress?.info(`gate: ${d.publish ? (d.forced ? 'FORCED' : 'pass') : 'REJECT'} (${d.outcome}) — Δ̂ ${r.difference.estimate.toPrecision(4)} [${r.difference.ci.map((x) => x.toPrecision(4)).join(', ')}] on ${logs.length} impressions`);
    return {
      ...base,
      publish: d.publish,
      reason: d.reason,
      evaluated: true,
      forced: d.forced,
      outcome: d.outcome,
      margin: d.margin,
      n: logs.length,
      difference: r.difference,
      candidate_value: r.candidate,
      serving_value: r.serving,
      override: d.override,
      ms: Math.round(performance.now() - t0),
    };
  };
}

/** V̂ of each version and the paired Δ̂ = V̂(candidate) − V̂(serving) on the same logged slates. */
export async function compareVersions(
  logs: readonly LoggedImpression[],
  candidate: VersionTarget,
  serving: VersionTarget,
  opts: { level?: number } = {},
): Promise<{ difference: Estimate; candidate: Estimate; serving: Estimate }> {
  const log = slateLog(logs);
  const pc: number[][] = [];
  const ps: number[][] = [];
  for (const imp of logs) {
    pc.push(await candidate.probabilities(imp));
    ps.push(await serving.probabilities(imp));
  }
  const level = opts.level ?? 0.95;
  // Self-normalised: an estimate cannot exceed the best possible slate, and its variance is far
  // below plain slate IPS when few logged slates match the candidate.
  const est = { level, selfNormalize: true };
  return {
    difference: slateDifference(log, pc, ps, est),
    candidate: slateIps({ ...log, targetProbabilities: pc }, est),
    serving: slateIps({ ...log, targetProbabilities: ps }, est),
  };
}

/**
 * When the logs cannot evaluate a candidate: its own time-split holdout (clicks after the cutoff,
 * which the model behind the metrics did not train on) must show its ranking recalls at least half
 * of what the popularity list recalls. Only a sanity check: held-out clicks fall on what the
 * serving version showed, which favours popular items, so a stricter bar (0.9 was tried) held
 * truly better candidates back for rounds in the long-tail world. A broken model fails it; without
 * holdout metrics nothing is known and the candidate is published (no lock-in), said in the reason.
 */
export function holdoutEvidence(metrics: Record<string, unknown>): { publish: boolean; reason: string } {
  const recall = (m: unknown) => (m && typeof m === 'object' ? Object.entries(m).find(([k]) => k.startsWith('recall_at_'))?.[1] : undefined) as number | undefined;
  const model = recall(metrics.model);
  const pop = recall(metrics.popularity);
  if (model === undefined || pop === undefined) return { publish: true, reason: 'no holdout metrics either: published without evidence it is worse (no lock-in)' };
  const publish = model >= 0.5 * pop;
  return { publish, reason: `holdout recall ${model.toFixed(4)} vs popularity ${pop.toFixed(4)}: ${publish ? 'at least' : 'below'} half of popularity's` };
}

/**
 * The gate the config asks for (`--gate-tolerance`, `--force --force-reason`, `--operator`);
 * null with `--no-gate`. `runBatch` runs it (or the replacement a test or the world suite injects).
 */
export function gateFromConfig(config: BatchConfig, progress?: Progress): DeploymentGate | null {
  if (!config.gate.enabled) return null;
  const override = config.gate.forceReason ? { operator: config.gate.operator, reason: config.gate.forceReason } : undefined;
  return opeGate({
    tolerance: config.gate.tolerance,
    relativeMargin: config.gate.relativeMargin,
    minEss: config.gate.minEss,
    ...(override ? { override } : {}),
    maxImpressions: config.gate.maxImpressions,
    minImpressions: config.gate.minImpressions,
    rewards: config.rewards,
    attributionWindowMs: config.attributionWindowMs,
    ...(progress ? { progress } : {}),
  });
}
