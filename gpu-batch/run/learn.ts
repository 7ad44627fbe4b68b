import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogItem } from '../../shared/schemas/catalog.js';
import type { BatchConfig } from '../config/config.js';
import { candidatesPerUser } from '../config/config.js';
import { buildDataset, dropDataset, type LakeFiles } from '../dataset/build-dataset.js';
import { readHoldout, readIndex, readItemPositionStats, readRewardedRows, readShownRows, readSurfaceSlots, readTrainingPairs, readUserHistory } from '../dataset/read-dataset.js';
import { rankingMetrics, popularityLists, type RankingMetrics } from '../metrics/ranking-metrics.js';
import { itemStats, positionWeightsAll, type ItemStats } from '../policy/item-stats.js';
import { betaPosteriors, posteriorMeans, type BetaPosteriors } from '../policy/posteriors.js';
import { fitBlend, logit, personalWeight, servingParams, type Blend } from '../policy/serving-blend.js';
import type { Progress } from '../util/progress.js';
import { fillColdItems } from '../train/cold-items.js';
import { CONTENT_BUCKETS, contentFeatures } from '../train/content-features.js';
import { trainMf, type MfParams } from '../train/mf-model.js';
import { topKForUsers, type TopK } from '../train/top-k.js';

/** Everything the policy and artifact steps need from learning. */
export interface Learned {
  bootstrap: boolean;
  itemIds: string[];
  /** Catalog created_at per item row (epoch ms, NaN when unknown). */
  createdAt: Float64Array;
  userKeys: string[];
  /** Impressions per user row. */
  history: Int32Array;
  params: MfParams;
  /** Ranked candidates per user (rows follow userKeys); null in bootstrap. */
  candidates: TopK | null;
  stats: ItemStats;
  theta: number[];
  posteriors: BetaPosteriors;
  /** Slots shown per surface: all, and since the serving version was published. */
  surfaceSlots: Record<string, { all: number; since: number }>;
  metrics: Record<string, unknown>;
  training: Record<string, unknown>;
  rewardedRows: number;
}

const METRIC_K = 10;

/**
 * Learns a model from the lake, or a bootstrap model from the catalog when the lake is empty.
 *
 * With logs: time-split the impressions (newest `holdoutFraction` held out), train on the rest,
 * measure recall/NDCG/coverage/diversity/novelty@10 against popularity on the held-out clicks,
 * then fine-tune the same parameters on everything for the published model (so the newest data
 * is not wasted and the metrics still describe a model that never saw the holdout).
 * The training tables live in the run's DuckDB session `c` and are dropped before returning.
 */
export async function learn(c: DuckDBConnection, config: BatchConfig, lake: LakeFiles, catalog: readonly CatalogItem[], opts: { progress: Progress; backend: Record<string, unknown>; servingSince?: number }): Promise<Learned> {
  if (lake.impressions.length === 0) return bootstrap(config, catalog, opts);
  try {
    return await learnFromLogs(c, config, lake, catalog, opts);
  } finally {
    await dropDataset(c);
  }
}

async function learnFromLogs(c: DuckDBConnection, config: BatchConfig, lake: LakeFiles, catalog: readonly CatalogItem[], opts: { progress: Progress; backend: Record<string, unknown>; servingSince?: number }): Promise<Learned> {
  const p = opts.progress;
  const ds = await buildDataset(c, lake, {
    rewards: config.rewards,
    attributionWindowMs: config.attributionWindowMs,
    catalogIds: catalog.map((i) => i.id),
    trainWindowMs: config.trainWindowMs,
    holdoutFraction: config.holdoutFraction,
  });
  p.info(`dataset: ${ds.users} users, ${ds.items} items, ${ds.shownRows} shown rows`);
  const { userKeys, itemIds } = await readIndex(c);
  const byId = new Map(catalog.map((i) => [i.id, i]));
  const createdAt = Float64Array.from(itemIds, (id) => (byId.has(id) ? Date.parse(byId.get(id)!.created_at) : Number.NaN));
  const hasHoldout = config.holdoutFraction > 0 && ds.cutoff > ds.minTs;
  const trainBefore = hasHoldout ? ds.cutoff : ds.maxTs + 1;
  const pairs = await readTrainingPairs(c, { before: trainBefore, negativesPerPositive: config.negativesPerPositive, seed: config.seed });
  const mfOpts = {
    nUsers: ds.users,
    nItems: ds.items,
    dims: config.dims,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    l2: config.l2,
    randomNegatives: config.randomNegatives,
    seed: config.seed,
  };
  p.info(`train: ${pairs.user.length} examples (${pairs.positives} positive pairs, negatives kept at ${(pairs.keepNegatives * 100).toFixed(1)}%)`);
  const perEpoch = pairs.user.length * (1 + config.randomNegatives / Math.max(1, config.negativesPerPositive));
  const budget = Math.max(1, Math.floor(config.maxSamples / perEpoch));
  const epochs = Math.max(1, Math.min(config.epochs, Math.ceil(budget * (config.epochs / (config.epochs + config.finetuneEpochs)))));
  const finetuneEpochs = Math.min(config.finetuneEpochs, Math.max(budget - epochs, config.finetuneEpochs > 0 ? 1 : 0));
  if (epochs < config.epochs) p.info(`train: ${epochs} epochs (+${finetuneEpochs} fine-tuning) fit the budget of ${config.maxSamples} samples`);
  const trained = await trainMf(pairs, { ...mfOpts, epochs, onEpoch: (e, loss) => p.bar(`train loss ${loss.toFixed(4)}`, e + 1, epochs) });
  const trainRows = await readItemPositionStats(c, trainBefore);
  const thetaTrain = positionWeightsAll(trainRows, ds.items, config.kMax);
  const trainStats = itemStats(trainRows, ds.items, thetaTrain);
  // Base appeal as known before the holdout: the posterior-popularity metric and the blend fit use it.
  const baseTrain = posteriorMeans(betaPosteriors(trainStats));

  let metrics: Record<string, unknown> = { holdout: null };
  if (hasHoldout) {
    const heldout = await readHoldout(c, ds.cutoff);
    const users = [...heldout.keys()].sort((a, b) => a - b);
    if (users.length > 0) {
      const k = Math.min(METRIC_K, ds.items);
      const model = rankingMetrics(await topKForUsers(trained.params, users, k), users, heldout, k, trained.params.item, config.dims, trainStats.rewarded);
      const pop = rankingMetrics(popularityLists(trainStats.rewarded, trainStats.impressions, users.length, k), users, heldout, k, trained.params.item, config.dims, trainStats.rewarded);
      const popPosterior = rankingMetrics(popularityLists(baseTrain, trainStats.impressions, users.length, k), users, heldout, k, trained.params.item, config.dims, trainStats.rewarded);
      metrics = {
        k,
        holdout: { fraction: config.holdoutFraction, cutoff_ts: ds.cutoff, users: users.length, positives: [...heldout.values()].reduce((a, s) => a + s.size, 0) },
        model: round(model),
        popularity: round(pop),
        popularity_posterior: round(popPosterior),
        recall_ratio: pop.recall > 0 ? Math.round((model.recall / pop.recall) * 1000) / 1000 : null,
      };
      p.info(`holdout: recall@${k} model ${model.recall.toFixed(4)} vs popularity ${pop.recall.toFixed(4)} (${users.length} users)`);
    }
  }

  // How much personal taste to layer on base appeal, fitted on the holdout the models above did not see.
  let blend: Blend | null = null;
  if (hasHoldout) {
    const rows = await readShownRows(c, ds.cutoff, 200_000, config.seed);
    const seen = new Uint8Array(ds.users);
    for (let k = 0; k < pairs.user.length; k++) seen[pairs.user[k]!] = 1;
    const d = config.dims;
    const U = trained.params.user;
    const V = trained.params.item;
    blend = fitBlend(
      {
        base: Float64Array.from(rows.item, (i) => logit(baseTrain[i]!)),
        personal: Float64Array.from(rows.user, (u, r) => {
          if (!seen[u]) return 0;
          const i = rows.item[r]!;
          let s = 0;
          for (let q = 0; q < d; q++) s += U[u * d + q]! * V[i * d + q]!;
          return s;
        }),
        position: rows.position,
        y: rows.y,
      },
      config.kMax,
    );
  }
  const lambda = personalWeight(blend);
  if (blend) p.info(`blend: base ${blend.a.toFixed(3)}, personal ${blend.b.toFixed(3)} → λ = ${lambda.toFixed(3)} (log-loss ${blend.logLoss.toFixed(4)} vs ${blend.logLossBaseOnly.toFixed(4)} base-only, ${blend.n} held-out showings)`);

  let params = trained.params;
  let finetune = null;
  if (hasHoldout && finetuneEpochs > 0) {
    const all = await readTrainingPairs(c, { before: ds.maxTs + 1, negativesPerPositive: config.negativesPerPositive, seed: config.seed + 1 });
    finetune = await trainMf(all, { ...mfOpts, epochs: finetuneEpochs, learningRate: config.learningRate / 2, init: params, seed: config.seed + 1 });
    params = finetune.params;
  }
  const allRows = await readItemPositionStats(c, ds.maxTs + 1);
  const theta = positionWeightsAll(allRows, ds.items, config.kMax);
  const stats = itemStats(allRows, ds.items, theta);
  const posteriors = betaPosteriors(stats);
  const warm = Array.from(stats.rewarded, (r) => r > 0);
  const cold = fillColdItems(params, contentFeatures(itemIds.map((id) => byId.get(id))), CONTENT_BUCKETS, warm, { seed: config.seed });
  // Candidates rank by base appeal (de-biased, shrunk) + λ · personal taste.
  const base = Float64Array.from(posteriorMeans(posteriors), logit);
  const candidates = await topKForUsers(servingParams(params, base, lambda), Int32Array.from(userKeys, (_, u) => u), candidatesPerUser(config));
  return {
    bootstrap: false,
    itemIds,
    createdAt,
    userKeys,
    history: await readUserHistory(c, ds.users),
    params,
    candidates,
    stats,
    theta,
    posteriors,
    surfaceSlots: await readSurfaceSlots(c, opts.servingSince ?? 0),
    metrics,
    rewardedRows: await readRewardedRows(c),
    training: {
      ...opts.backend,
      model: 'base-appeal+logistic-mf',
      dims: config.dims,
      epochs,
      finetune_epochs: finetune ? finetuneEpochs : 0,
      max_samples: config.maxSamples,
      learning_rate: config.learningRate,
      l2: config.l2,
      batch_size: config.batchSize,
      negatives_per_positive: config.negativesPerPositive,
      keep_negatives: round6(pairs.keepNegatives),
      random_negatives: config.randomNegatives,
      examples: pairs.user.length,
      samples: trained.samples + (finetune?.samples ?? 0),
      samples_per_s: Math.round((trained.samples + (finetune?.samples ?? 0)) / (trained.seconds + (finetune?.seconds ?? 0) || 1)),
      train_seconds: round6(trained.seconds + (finetune?.seconds ?? 0)),
      losses: trained.losses.map(round6),
      cold_items: cold,
      blend: blend ? { a: round6(blend.a), b: round6(blend.b), lambda: round6(lambda), n: blend.n, clicks: blend.clicks, log_loss: round6(blend.logLoss), log_loss_base_only: round6(blend.logLossBaseOnly), position_logits: blend.positionLogits.map(round6) } : { lambda },
      users: ds.users,
      items: ds.items,
      seed: config.seed,
      attribution_window_ms: config.attributionWindowMs,
      rewards: config.rewards,
      train_cutoff_ts: trainBefore,
    },
  };
}

/** No logs yet: content vectors for the edge's similarity scorer, newest items first, ε = max. */
function bootstrap(config: BatchConfig, catalog: readonly CatalogItem[], opts: { backend: Record<string, unknown> }): Learned {
  const items = [...catalog].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = items.length;
  const params: MfParams = { dims: config.dims, user: new Float32Array(0), item: new Float32Array(n * config.dims), bias: new Float32Array(n), globalBias: 0 };
  fillColdItems(params, contentFeatures(items), CONTENT_BUCKETS, new Array<boolean>(n).fill(false), { seed: config.seed });
  const stats: ItemStats = { impressions: new Float64Array(n), rewarded: new Float64Array(n), reward: new Float64Array(n), exposure: new Float64Array(n) };
  return {
    bootstrap: true,
    itemIds: items.map((i) => i.id),
    createdAt: Float64Array.from(items, (i) => Date.parse(i.created_at)),
    userKeys: [],
    history: new Int32Array(0),
    params,
    candidates: null,
    stats,
    theta: new Array<number>(config.kMax).fill(1),
    posteriors: betaPosteriors(stats),
    surfaceSlots: {},
    metrics: { holdout: null },
    rewardedRows: 0,
    training: { ...opts.backend, model: 'bootstrap-content', dims: config.dims, cold_items: n, users: 0, items: n, seed: config.seed },
  };
}

function round(m: RankingMetrics): Record<string, number> {
  return {
    users: m.users,
    [`recall_at_${METRIC_K}`]: round6(m.recall),
    [`ndcg_at_${METRIC_K}`]: round6(m.ndcg),
    coverage: round6(m.coverage),
    diversity: round6(m.diversity),
    novelty: round6(m.novelty),
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
