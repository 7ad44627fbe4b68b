import { shardFile } from '../../shared/artifact/paths.js';
import { Policy, type ItemsFile, type TasteFile } from '../../shared/schemas/artifact.js';
import type { PosteriorsFile } from '../../shared/schemas/posteriors.js';
import type { StrategySpec } from '../../shared/schemas/strategy.js';
import type { BatchConfig } from '../config/config.js';
import { candidatesPerUser } from '../config/config.js';
import { buildPolicy, strategySpec } from '../policy/build-policy.js';
import { explorationEpsilon, explorationPool, meanExplorationExamination, rampWeights, winningBar } from '../policy/exploration.js';
import { posteriorMeans } from '../policy/posteriors.js';
import { float32LE, itemMatrixFiles, withBaseColumn } from '../publish/item-matrix.js';
import { logit } from '../../shared/stats/logistic.js';
import { round6 } from '../util/round.js';
import { buildShards, shardCount } from '../slates/user-shards.js';
import { jsonBytes } from '../util/json-bytes.js';
import type { Learned } from '../learn/learn.js';

/**
 * A candidate version: its policy as a typed object (the ε choice may still change it), every
 * other file as bytes, and the numbers the manifest records.
 */
export interface VersionFiles {
  version: string;
  generation: number;
  policy: Policy;
  /** Relative names → bytes, all but `policy.json`. */
  files: Record<string, Uint8Array>;
  shards: number;
  /** What the run record keeps of the policy. */
  policySummary: { strategy: string; epsilon: Record<string, number>; position_weights: number[] | null; exploration_pool: number; popularity: number; candidates_per_user: number };
}

/**
 * Every file of a candidate as the edge reads it, `policy.json` serialised from the typed policy:
 * the bytes the gate judges and publish writes.
 */
export function versionBytes(v: Pick<VersionFiles, 'policy' | 'files'>): Record<string, Uint8Array> {
  return { 'policy.json': jsonBytes(Policy.parse(v.policy)), ...v.files };
}

/**
 * Turns what was learned into the files the edge reads: the policy (`policy.json`),
 * `user-slates/NNNN.json`, `items.json` + `items.f32` + `items.i8` + `items.scale.f32`, and
 * `posteriors.json`; and, for a trained version with personal taste, the file only the deploy
 * gate reads: `taste.json` + `taste.f32`.
 */
export function versionFiles(config: BatchConfig, learned: Learned, version: string, generation: number): VersionFiles {
  const { itemIds } = learned;
  const surfaces = new Set([config.surface, ...Object.keys(learned.surfaceSlots)]);
  const pool = config.explore ? explorationPool(learned.posteriors, { k: config.kDefault, max: config.poolMax, base: config.poolBase, bootstrap: learned.bootstrap, createdAt: learned.createdAt, evidence: { exposure: learned.stats.exposure, clicks: config.exploreClicks } }) : [];
  const weights = config.explorePositions === 'ramp' && !learned.bootstrap ? rampWeights(config.kDefault) : null;
  const prior = learned.posteriors.prior;
  const winnerRate = winningBar(learned.posteriors, config.kDefault).bar;
  const epsilon: Record<string, number> = {};
  const strategies: Record<string, StrategySpec> = {};
  for (const s of [...surfaces].sort()) {
    const slots = learned.surfaceSlots[s] ?? { all: 0, since: 0 };
    epsilon[s] = !config.explore
      ? 0
      : learned.bootstrap
        ? config.epsilonBootstrap
        : explorationEpsilon({
            pool: pool.length,
            // The serving version's traffic so far; when it has barely served (a re-run right after a
            // publish), the mean per version so far.
            slots: Math.max(slots.since, slots.all / (generation + 1)),
            winnerRate,
            meanExamination: meanExplorationExamination(learned.theta, weights, config.kDefault),
            clicks: config.exploreClicks,
            min: config.epsilonMin,
            max: config.epsilonMax,
            bootstrap: false,
          });
    strategies[s] = strategySpec(config.strategy, epsilon[s]!, weights, prior, config.kDefault);
  }
  const means = posteriorMeans(learned.posteriors);
  // Bootstrap: every mean equals the prior, so newest items lead the fallback ranking.
  const tieBreak = Float64Array.from(learned.createdAt, (t) => (Number.isNaN(t) ? 0 : -t));
  const policy = buildPolicy({
    version,
    defaultSurface: config.surface,
    strategies,
    kDefault: config.kDefault,
    kMax: config.kMax,
    itemIds,
    pool,
    popularityScore: means,
    tieBreak,
    candidatesPerUser: candidatesPerUser(config),
  });
  const shards = shardCount(learned.userKeys.length, config.shards);
  const files: Record<string, Uint8Array> = {};
  const shardDocs = learned.candidates
    ? buildShards(learned.userKeys, learned.candidates, itemIds, shards, learned.history)
    : Array.from({ length: shards }, (_, shard) => ({ schema: 'user-slates/v1' as const, shard, shards, users: {} }));
  for (const doc of shardDocs) files[shardFile(doc.shard)] = jsonBytes(doc);
  // Trained versions rank recent-item users by base appeal + taste: the matrix gets a base column.
  const matrix = learned.recent ? withBaseColumn(learned.params.item, learned.params.dims, Float64Array.from(means, logit)) : { vectors: learned.params.item, dims: learned.params.dims, baseScale: 1 };
  const items: ItemsFile = { schema: 'items/v1', dims: matrix.dims, ids: itemIds, ...(learned.recent ? { recent: { weight: round6(learned.recent.wasm.weight), cache_weight: round6(learned.recent.cache.weight), base_scale: matrix.baseScale } } : {}) };
  files['items.json'] = jsonBytes(items);
  Object.assign(files, itemMatrixFiles(matrix.vectors, matrix.dims));
  // The gate's reward model prices what a user's cached list holds by this taste (`taste.json`).
  if (learned.candidates && learned.personalWeight) {
    const lambda = learned.personalWeight;
    const taste: TasteFile = { schema: 'taste/v1', dims: learned.params.dims, users: learned.userKeys };
    files['taste.json'] = jsonBytes(taste);
    files['taste.f32'] = float32LE(learned.params.user.map((x) => x * lambda));
  }
  const posteriors: PosteriorsFile = {
    schema: 'posteriors/v1',
    prior: learned.posteriors.prior,
    position_weights: learned.theta.map((t) => Math.round(t * 1e4) / 1e4),
    ids: itemIds,
    alpha: Array.from(learned.posteriors.alpha, (a) => Math.round(a * 1e4) / 1e4),
    beta: Array.from(learned.posteriors.beta, (b) => Math.round(b * 1e4) / 1e4),
    impressions: Array.from(learned.stats.impressions),
    rewarded: Array.from(learned.stats.rewarded),
  };
  files['posteriors.json'] = jsonBytes(posteriors);
  return { version, generation, policy: { ...policy, generation }, files, shards, policySummary: { strategy: config.strategy, epsilon, position_weights: weights, exploration_pool: pool.length, popularity: policy.popularity.length, candidates_per_user: policy.candidates_per_user } };
}
