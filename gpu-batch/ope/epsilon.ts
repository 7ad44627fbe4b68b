import { chooseEpsilon, type ExplorationLog } from '../../shared/ope/choose-epsilon.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Policy } from '../../shared/schemas/artifact.js';
import type { BatchConfig } from '../config/config.js';
import type { LakeFiles } from '../dataset/build-dataset.js';
import { round6 } from '../util/round.js';
import { readLakeSlates } from './lake-slates.js';
import type { VersionTarget } from './policy-view.js';

/** Epsilons considered above the rule's value (those in (rule, epsilonMax]). */
export const EPSILON_GRID = [0.1, 0.2, 0.3, 0.5, 1] as const;

/** What the manifest's `metrics.epsilon` records per surface. */
export interface SurfaceEpsilonRecord {
  /** The rule's value (policy/exploration.ts `surfaceEpsilon`): the floor. */
  rule: number;
  chosen: number;
  /** `ope` when chosen from estimates, else why the rule stands. */
  source: 'ope' | 'rule';
  reason: string;
  /** Impressions of the surface evaluated (the newest). */
  n: number;
  /** Time the choice took (reading the logs included). */
  ms: number;
  /** Every epsilon considered: V̂ and Δ̂ vs the rule's value (reward per impression), CIs. */
  candidates: Array<{ epsilon: number; value: number; ci: [number, number]; difference: number; difference_ci: [number, number]; eligible: boolean; ess: number }>;
}

/**
 * Epsilon per surface from off-policy estimates (see gpu-batch/README.md, "Policy"):
 * the rule's ε_r = clamp(√(items·k / slots), ε_min, ε_max) is the floor; `chooseEpsilon` over the
 * newest `config.epsilonOpe.sample` impressions of the surface, each re-ranked with the candidate
 * version's own candidates, then picks among ε_r and the grid values in (ε_r, ε_max] the one with
 * the highest estimated value whose lower bound of V̂(ε) − V̂(ε_r) is above −tolerance. So OPE can
 * only raise exploration above the coverage rule, when the logs say exploring loses no reward
 * (e.g. when the model's ranking is no better than the pool); it never starves new items.
 * Sets the chosen epsilon in the candidate's (typed) policy when a surface's epsilon changes;
 * `target` is the same candidate as the edge would serve it (its rankings, pool, posteriors).
 * @param c the run's DuckDB session
 * @returns the record per surface (empty when off, in bootstrap, or without logs)
 */
export async function chooseSurfaceEpsilons(
  c: DuckDBConnection,
  config: BatchConfig,
  candidate: { policy: Policy; target: VersionTarget },
  lake: LakeFiles,
): Promise<Record<string, SurfaceEpsilonRecord>> {
  const out: Record<string, SurfaceEpsilonRecord> = {};
  const sample = config.epsilonOpe.sample;
  if (sample === 0 || lake.impressions.length === 0) return out;
  const { policy, target } = candidate;
  for (const [surface, cfg] of Object.entries(policy.surfaces).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (cfg.strategy.name !== 'epsilon-greedy') continue;
    const rule = cfg.strategy.epsilon;
    const t0 = performance.now();
    const record = (source: 'ope' | 'rule', chosen: number, reason: string, n: number, candidates: SurfaceEpsilonRecord['candidates'] = []) =>
      (out[surface] = { rule, chosen, source, reason, n, ms: Math.round(performance.now() - t0), candidates });
    if (rule <= 0) {
      record('rule', rule, 'rule gives ε = 0: no support to evaluate other epsilons', 0);
      continue;
    }
    const logs = await readLakeSlates(c, lake, { limit: sample, rewards: config.rewards, attributionWindowMs: config.attributionWindowMs, surfaces: [surface] });
    if (logs.length < 50) {
      record('rule', rule, `only ${logs.length} logged impressions on this surface (< 50)`, logs.length);
      continue;
    }
    const grid = EPSILON_GRID.filter((e) => e > rule && e <= config.epsilonMax);
    const explorationLogs: ExplorationLog[] = [];
    for (const imp of logs) explorationLogs.push({ input: await target.input(imp), slate: imp.slate });
    const strategy = cfg.strategy;
    const choice = chooseEpsilon(explorationLogs, { candidates: grid, current: rule, tolerance: config.epsilonOpe.tolerance, floor: rule, specFor: (epsilon) => ({ ...strategy, epsilon }) });
    record(
      choice.changed ? 'ope' : 'rule',
      choice.epsilon,
      choice.reason,
      logs.length,
      choice.candidates.map((c) => ({
        epsilon: c.epsilon,
        value: round6(c.value.estimate),
        ci: [round6(c.value.ci[0]), round6(c.value.ci[1])],
        difference: round6(c.difference.estimate),
        difference_ci: [round6(c.difference.ci[0]), round6(c.difference.ci[1])],
        eligible: c.eligible,
        ess: Math.round(c.value.ess),
      })),
    );
    if (choice.changed) policy.surfaces[surface] = { ...cfg, strategy: { ...cfg.strategy, epsilon: choice.epsilon } };
  }
  return out;
}
