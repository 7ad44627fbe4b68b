import { shardFile } from '../../shared/artifact/paths.js';
import type { ItemsFile } from '../../shared/schemas/artifact.js';
import type { PosteriorsFile } from '../../shared/schemas/posteriors.js';
import type { BatchConfig } from '../config/config.js';
import { candidatesPerUser } from '../config/config.js';
import { buildPolicy } from '../policy/build-policy.js';
import { explorationPool, surfaceEpsilon } from '../policy/exploration.js';
import { posteriorMeans } from '../policy/posteriors.js';
import { itemMatrixFiles } from '../publish/item-matrix.js';
import { buildShards, shardCount } from '../slates/user-shards.js';
import { jsonBytes } from '../util/json-bytes.js';
import type { Learned } from './learn.js';

/** The files of one version (relative names → bytes) and the numbers the manifest records. */
export interface VersionFiles {
  files: Record<string, Uint8Array>;
  shards: number;
  policySummary: Record<string, unknown>;
}

/**
 * Turns what was learned into the files the edge reads: `policy.json`, `user-slates/NNNN.json`,
 * `items.json` + `items.f32` + `items.i8` + `items.scale.f32`, and `posteriors.json`.
 */
export function versionFiles(config: BatchConfig, learned: Learned, version: string, now: number, generation: number): VersionFiles {
  const { itemIds, stats } = learned;
  const surfaces = new Set([config.surface, ...Object.keys(learned.surfaceImpressions)]);
  const epsilon: Record<string, number> = {};
  for (const s of [...surfaces].sort()) {
    epsilon[s] = learned.bootstrap ? config.epsilonMax : surfaceEpsilon(itemIds.length, config.kDefault, (learned.surfaceImpressions[s] ?? 0) * config.kDefault, config.epsilonMin, config.epsilonMax);
  }
  const pool = explorationPool(stats.impressions, learned.createdAt, {
    now,
    newItemMs: config.newItemMs,
    underShown: config.underShownImpressions,
    max: config.poolMax,
    bootstrap: learned.bootstrap,
  });
  const means = posteriorMeans(learned.posteriors);
  // Bootstrap: every mean equals the prior, so newest items lead the fallback ranking.
  const tieBreak = Float64Array.from(learned.createdAt, (t) => (Number.isNaN(t) ? 0 : -t));
  const policy = buildPolicy({
    version,
    defaultSurface: config.surface,
    epsilon,
    kDefault: config.kDefault,
    kMax: config.kMax,
    itemIds,
    pool,
    popularityScore: means,
    tieBreak,
    candidatesPerUser: candidatesPerUser(config),
  });
  const shards = shardCount(learned.userKeys.length, config.shards);
  const files: Record<string, Uint8Array> = { 'policy.json': jsonBytes({ ...policy, generation }) };
  const shardDocs = learned.candidates
    ? buildShards(learned.userKeys, learned.candidates, itemIds, shards, learned.history)
    : Array.from({ length: shards }, (_, shard) => ({ schema: 'user-slates/v1' as const, shard, shards, users: {} }));
  for (const doc of shardDocs) files[shardFile(doc.shard)] = jsonBytes(doc);
  const items: ItemsFile = { schema: 'items/v1', dims: learned.params.dims, ids: itemIds };
  files['items.json'] = jsonBytes(items);
  Object.assign(files, itemMatrixFiles(learned.params.item, learned.params.dims));
  const posteriors: PosteriorsFile = {
    schema: 'posteriors/v1',
    prior: learned.posteriors.prior,
    position_weights: learned.theta.map((t) => Math.round(t * 1e4) / 1e4),
    ids: itemIds,
    alpha: Array.from(learned.posteriors.alpha, (a) => Math.round(a * 1e4) / 1e4),
    beta: Array.from(learned.posteriors.beta, (b) => Math.round(b * 1e4) / 1e4),
    impressions: Array.from(stats.impressions),
    rewarded: Array.from(stats.rewarded),
  };
  files['posteriors.json'] = jsonBytes(posteriors);
  return { files, shards, policySummary: { epsilon, exploration_pool: pool.length, popularity: policy.popularity.length, candidates_per_user: policy.candidates_per_user } };
}
