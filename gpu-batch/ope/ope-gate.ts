import { crossFitModels, meanTaste, predictLogged, type ItemPositionModel, type LiftPrior, type PairTaste } from '../../shared/ope/item-position-model.js';
import { differenceFromTerms, estimateFromTerms } from '../../shared/ope/interval.js';
import { slateDrTerms } from '../../shared/ope/slate-dr.js';
import { gateDecision, type GateOverride } from '../../shared/ope/gate.js';
import type { Estimate } from '../../shared/ope/types.js';
import type { RewardMap } from '../config/rewards.js';
import type { BatchConfig } from '../config/config.js';
import type { DeploymentGate, GateInput, GateVerdict } from '../publish/gate.js';
import type { Progress } from '../util/progress.js';
import { readLakeSlates, type LoggedImpression } from './lake-slates.js';
import { GATE_DEFAULTS, type TasteMode } from './gate-defaults.js';

export type { TasteMode };
import { slateLog, VersionTarget } from './policy-view.js';


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
  /** Whose taste prices the pairs the logs never showed (`TasteMode`), default `GATE_DEFAULTS.taste`. */
  taste?: TasteMode;
  progress?: Progress;
}

/** What `manifest.gate` and the run record hold (besides `publish` and `reason`). */
export interface OpeGateVerdict extends GateVerdict {
  gate: 'ope-slate-dr';
  /** False when the gate passed without evaluating (no serving version, too few logs). */
  evaluated: boolean;
  forced: boolean;
  tolerance: number;
  serving_version: string | null;
  candidate_version: string;
  /** Impressions evaluated (the newest ones in the lake, of the evaluation slice when there is one). */
  n: number;
  /** Share of impressions in the evaluation slice no per-user learning reads (`inEvalSlice`); 0: every impression. */
  eval_slice: number;
  min_impressions: number;
  /** Share of the evaluated logged slots shown with a propensity under 1 (0: no exploration in the logs). */
  randomised_share: number | null;
  /** How the rule decided (`gateDecision`): pass, reject, inconclusive; null when not evaluated. */
  outcome: string | null;
  /** The margin the difference was held to (tolerance + relative margin × serving value). */
  margin: number | null;
  /** Δ̂ = V̂(candidate) − V̂(serving), slate doubly robust (`compareVersions`), paired; reward per impression. */
  difference: Estimate | null;
  candidate_value: Estimate | null;
  serving_value: Estimate | null;
  /** Whether the reward model priced pairs the log never showed with the versions' taste (`gateTaste`); null when not evaluated. */
  taste: boolean | null;
  override: GateOverride | null;
  ms: number;
}

/**
 * The deploy gate of `batch run`: evaluates the candidate against the serving version on the
 * newest logged impressions of the lake, with the slate doubly robust estimator over the logged
 * `marginal_position` propensities and a cross-fitted reward model (`compareVersions`, paired),
 * and rejects only a candidate the interval shows to be worse beyond the margin (`gateDecision`). Each
 * version is evaluated as the edge would serve it (`VersionTarget`). With no serving version, or
 * fewer than `minImpressions` logged impressions, it passes and says why.
 */
export function opeGate(o: OpeGateOptions): DeploymentGate {
  return async (input: GateInput): Promise<OpeGateVerdict> => {
    const t0 = performance.now();
    const min = o.minImpressions ?? GATE_DEFAULTS.minImpressions;
    // The slice is the candidate's: the share its learning held out (one home: learn.ts, from
    // config.gate.slice), so the gate never judges on logs the candidate's lists learnt from.
    const slice = input.candidate.evalSlice;
    const base = {
      gate: 'ope-slate-dr' as const,
      tolerance: o.tolerance,
      serving_version: input.serving?.version ?? null,
      candidate_version: input.candidate.version,
      min_impressions: min,
      eval_slice: slice,
      override: o.override ?? null,
    };
    const pass = (reason: string, n: number): OpeGateVerdict => ({
      ...base,
      publish: true,
      reason,
      evaluated: false,
      forced: false,
      outcome: null,
      randomised_share: null,
      margin: null,
      n,
      difference: null,
      candidate_value: null,
      serving_value: null,
      taste: null,
      ms: Math.round(performance.now() - t0),
    });
    if (!input.serving) return pass('no serving version: nothing to compare with', 0);
    const read = await readLakeSlates(input.duck, input.lake, { limit: o.maxImpressions ?? GATE_DEFAULTS.maxImpressions, slice, rewards: o.rewards, attributionWindowMs: o.attributionWindowMs });
    // With a slice, both versions are judged on it alone; the reward model still learns from every read impression.
    const logs = slice > 0 ? read.filter((l) => l.in_slice) : read;
    if (logs.length < min) return pass(`only ${logs.length} logged impressions${slice > 0 ? ` in the evaluation slice (${Math.round(slice * 100)}% of ${read.length})` : ''} (< ${min}): too few to evaluate`, logs.length);
    const serving = await VersionTarget.fromStore(input.store, input.serving);
    const candidate = VersionTarget.fromFiles(input.candidate.version, input.candidate.files);
    const r = await compareVersions(logs, candidate, serving, { level: o.level ?? 0.95, taste: o.taste ?? GATE_DEFAULTS.taste, modelLogs: read });
    const minEss = o.minEss ?? GATE_DEFAULTS.minEss;
    const d = gateDecision(r.difference, o.tolerance, o.override, {
      relativeMargin: o.relativeMargin ?? GATE_DEFAULTS.relativeMargin,
      servingValue: r.serving.estimate,
      ess: r.candidate.ess,
      minEss,
    });
    const randomised = randomisedShare(logs);
    const blind = randomised < GATE_DEFAULTS.minRandomised;
    const reason = blind ? `${d.reason} (the logs hold no exploration — ${(100 * randomised).toFixed(1)}% of slots randomised — so the estimate is the reward model's extrapolation)` : d.reason;
    o.progress?.info(`gate: ${d.publish ? (d.forced ? 'FORCED' : 'pass') : 'REJECT'} (${d.outcome}) — Δ̂ ${r.difference.estimate.toPrecision(4)} [${r.difference.ci.map((x) => x.toPrecision(4)).join(', ')}] on ${logs.length} impressions`);
    return {
      ...base,
      publish: d.publish,
      reason,
      // Not ESS: a re-ranked candidate's ESS is 1–40 impressions under ordinary exploration, and
      // taking ESS < minEss for "cannot judge" sent large-catalog's better candidates to canaries.
      undecided: !d.forced && (d.outcome === 'inconclusive' || blind),
      evaluated: true,
      forced: d.forced,
      outcome: d.outcome,
      randomised_share: randomised,
      margin: d.margin,
      n: logs.length,
      difference: r.difference,
      candidate_value: r.candidate,
      serving_value: r.serving,
      taste: r.taste,
      override: d.override,
      ms: Math.round(performance.now() - t0),
    };
  };
}

/** Share of the logged slots shown with a propensity under 1: how much of the log was randomised. */
export function randomisedShare(logs: readonly LoggedImpression[]): number {
  let slots = 0;
  let random = 0;
  for (const l of logs) {
    for (const it of l.slate.items) {
      slots++;
      if (it.propensity < 1 - 1e-9) random++;
    }
  }
  return slots ? random / slots : 0;
}

/**
 * The taste of the gate's one reward model (`TasteMode`; 'both': `meanTaste` of the two versions'
 * once the serving version has a taste, else none). Null when none.
 * Why none while the serving version has no taste (λ = 0: the bootstrap, or a first version whose
 * holdout found no personal signal): the candidate's taste is then the only one, fitted on every
 * log the gate reads, and its pairs are the ones its taste picked — each pick's luck priced as
 * taste, at full strength (the mean of two halves it). Replayed on kept world runs (seeds 551–554,
 * rounds 2–3, `npm run bench:gate -- DIR --taste …`), round 2's real candidates of drift, pbm-deep
 * and sparse read +0.25–0.62 clicks a slate better where they were +0.06–0.38: drift's model valued
 * the candidate's exploited slates at 1.09–1.13 of their truth and a copy 19.7% worse passed at
 * Δ̂ +0.095 (docs/architecture.md, "None while the serving version has no taste").
 */
export async function gateTaste(candidate: Pick<VersionTarget, 'taste'>, serving: Pick<VersionTarget, 'taste'>, mode: TasteMode): Promise<PairTaste | null> {
  if (mode === 'none') return null;
  if (mode === 'candidate') return candidate.taste();
  const s = await serving.taste();
  return s ? meanTaste(await candidate.taste(), s) : null;
}

/**
 * V̂ of each version and the paired Δ̂ = V̂(candidate) − V̂(serving) on the same logged slates, by
 * the slate doubly robust estimator (`slateDr`) over a cross-fitted item-position reward model,
 * one for both versions (paired: its errors largely cancel in Δ̂), whose pairs the log never
 * showed take the two versions' mean taste (`gateTaste`, `fitItemPositionModel`).
 * The model's part values what each version would show even where the log never showed it (a
 * candidate ranking items nobody saw is priced as the exploration pool's items are), so a version
 * the logs barely cover is still judged on its own files; the weighted residuals correct the model
 * where the log covers the version. `ess` is the IPS weights' (how much the log covers it).
 */
export async function compareVersions(
  logs: readonly LoggedImpression[],
  candidate: VersionTarget,
  serving: VersionTarget,
  opts: { level?: number; clip?: number; prior?: LiftPrior; taste?: TasteMode; modelLogs?: readonly LoggedImpression[] } = {},
): Promise<{ difference: Estimate; candidate: Estimate; serving: Estimate; taste: boolean }> {
  const log = slateLog(logs);
  const sorted = logs.map((imp) => [...imp.slate.items].sort((a, b) => a.position - b.position));
  const taste = await gateTaste(candidate, serving, opts.taste ?? GATE_DEFAULTS.taste);
  const models = gateModels(opts.modelLogs ?? logs, logs, opts.prior, taste ?? undefined);
  const pc: number[][] = [];
  const ps: number[][] = [];
  const qc: number[] = [];
  const qs: number[] = [];
  const qLogged = sorted.map((items, i) => predictLogged(models[i]!, items, logs[i]!.user_key));
  for (const [i, imp] of logs.entries()) {
    pc.push(await candidate.probabilities(imp));
    ps.push(await serving.probabilities(imp));
    qc.push(await candidate.modelValue(imp, models[i]!));
    qs.push(await serving.modelValue(imp, models[i]!));
  }
  const est = { level: opts.level ?? 0.95 };
  // Where the reward model found readers stopping after clicks, the correction covers the top slot only (`SlateDrOptions.corrected`).
  const dr = { clip: opts.clip ?? GATE_DEFAULTS.clip, corrected: models.map((m) => (m.stop === undefined ? Infinity : 1)) };
  const c = slateDrTerms({ ...log, targetProbabilities: pc, qLogged, qTarget: qc }, dr);
  const s = slateDrTerms({ ...log, targetProbabilities: ps, qLogged, qTarget: qs }, dr);
  return { difference: differenceFromTerms(c, s, est), candidate: estimateFromTerms(c, est), serving: estimateFromTerms(s, est), taste: taste !== null };
}

/**
 * The cross-fitted reward model of each evaluated impression (`crossFitModels`), fitted on
 * `modelLogs` (a superset of `logs`: with an evaluation slice, every impression read, so the model
 * knows items as well as without one; each evaluated impression's model is the fold that left it out).
 */
export function gateModels(modelLogs: readonly LoggedImpression[], logs: readonly LoggedImpression[], prior?: LiftPrior, taste?: PairTaste): ItemPositionModel[] {
  const slates = modelLogs.map((imp) => ({ id: imp.slate.impression_id, user: imp.user_key, version: imp.slate.policy_version, items: [...imp.slate.items].sort((a, b) => a.position - b.position) }));
  const fitted = crossFitModels(slates, prior, taste);
  if (modelLogs === logs) return fitted;
  const byId = new Map(slates.map((s, i) => [s.id, fitted[i]!]));
  return logs.map((imp) => {
    const m = byId.get(imp.slate.impression_id);
    if (!m) throw new Error(`gate: evaluated impression ${imp.slate.impression_id} is not among the reward model's logs`);
    return m;
  });
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
    taste: config.gate.taste,
    ...(override ? { override } : {}),
    maxImpressions: config.gate.maxImpressions,
    minImpressions: config.gate.minImpressions,
    rewards: config.rewards,
    attributionWindowMs: config.attributionWindowMs,
    ...(progress ? { progress } : {}),
  });
}
