import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogItem } from '../../shared/schemas/catalog.js';
import type { BatchConfig } from '../config/config.js';
import { candidatesPerUser } from '../config/config.js';
import { buildDataset, dropDataset, type LakeFiles } from '../dataset/build-dataset.js';
import { readExaminationCells, readIndex, readItemPositionStats, readRewardedRows, readSlateSlots, readSurfaceSlots, readTrainingPairs, readUserHistory } from '../dataset/read-dataset.js';
import { challengerRows, optimisticBase } from '../policy/exploration.js';
import { examinationWeights, examinedStats, type ItemStats } from '../policy/item-stats.js';
import { mixturePosteriors, newArrivals, posteriorMeans, type BetaPosteriors } from '../policy/posteriors.js';
import { personalWeight, servingParams, type Blend } from '../policy/serving-blend.js';
import { fillColdItems } from '../train/cold-items.js';
import { CONTENT_BUCKETS, contentFeatures } from '../train/content-features.js';
import { contentProfiles, profileScore, rerankWithProfiles } from '../train/content-profile.js';
import { modelScore, trainMf, type MfParams, type MfResult } from '../train/mf-model.js';
import { pastClicks, rerankWithPastClicks } from '../train/past-clicks.js';
import { topKForUsers, type TopK } from '../train/top-k.js';
import type { Progress } from '../util/progress.js';
import { round6 } from '../util/round.js';
import { bootstrap } from './bootstrap.js';
import { epochBudget } from './epoch-budget.js';
import { NO_RECENT_FIT, holdoutBlend, holdoutTermFit, readHeldOutRows, holdoutMetrics, holdoutRecentFit, type BeforeHoldout, type RecentFit, type SessionFit } from './holdout.js';

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
  /**
   * The weights of recent items' taste (`holdoutRecentFit`); absent in bootstrap, whose
   * matrix has no base-appeal column.
   */
  recent?: RecentFit;
  /** λ, the weight of personal taste U · V in the cached lists' score (`personalWeight`); absent in bootstrap. */
  personalWeight?: number;
  /**
   * Share of the gate's window that no per-user learning read (the evaluation slice,
   * `inEvalSlice`; `manifest.training.eval_slice`); 0: none held out, or bootstrap. The gate judges
   * the candidate on exactly this slice, whatever it was configured with.
   */
  evalSlice: number;
}

export interface LearnOptions {
  progress: Progress;
  /** The training backend, recorded in `manifest.training`. */
  backend: Record<string, unknown>;
  /** When the serving version was published (its traffic since sets ε). */
  servingSince?: number;
}

/**
 * Learns a model from the lake, or a bootstrap model from the catalog when the lake is empty.
 *
 * With logs: time-split the impressions (newest `holdoutFraction` held out), train on the rest,
 * measure recall/NDCG/coverage/diversity/novelty@10 against popularity on the held-out clicks and
 * fit the personal-taste weight there, then fine-tune the same parameters on everything for the
 * published model (so the newest data is not wasted and the metrics still describe a model that
 * never saw the holdout). The training tables live in the run's DuckDB session `c` and are
 * dropped before returning.
 */
export async function learn(c: DuckDBConnection, config: BatchConfig, lake: LakeFiles, catalog: readonly CatalogItem[], opts: LearnOptions): Promise<Learned> {
  if (lake.impressions.length === 0) return bootstrap(config, catalog, opts.backend);
  try {
    return await learnFromLogs(c, config, lake, catalog, opts);
  } finally {
    await dropDataset(c);
  }
}

async function learnFromLogs(c: DuckDBConnection, config: BatchConfig, lake: LakeFiles, catalog: readonly CatalogItem[], opts: LearnOptions): Promise<Learned> {
  const p = opts.progress;
  // With the gate on, no per-user learning reads its evaluation slice (gpu-batch/dataset/eval-slice.ts).
  const evalSlice = config.gate.enabled ? config.gate.slice : 0;
  const ds = await buildDataset(c, lake, { ...config, evalSlice: { share: evalSlice, window: config.gate.maxImpressions }, catalogIds: catalog.map((i) => i.id) });
  p.info(`dataset: ${ds.users} users, ${ds.items} items, ${ds.shownRows} shown rows`);
  const { userKeys, itemIds } = await readIndex(c);
  const byId = new Map(catalog.map((i) => [i.id, i]));
  const createdAt = Float64Array.from(itemIds, (id) => (byId.has(id) ? Date.parse(byId.get(id)!.created_at) : Number.NaN));
  const arrivals = newArrivals(createdAt);
  const hasHoldout = config.holdoutFraction > 0 && ds.cutoff > ds.minTs;
  const trainBefore = hasHoldout ? ds.cutoff : ds.maxTs + 1;

  // 1. Train on what precedes the holdout.
  const pairs = await readTrainingPairs(c, { before: trainBefore, negativesPerPositive: config.negativesPerPositive, seed: config.seed });
  const mfOpts = { nUsers: ds.users, nItems: ds.items, dims: config.dims, batchSize: config.batchSize, learningRate: config.learningRate, l2: config.l2, randomNegatives: config.randomNegatives, seed: config.seed };
  p.info(`train: ${pairs.user.length} examples (${pairs.positives} positive pairs, negatives kept at ${(pairs.keepNegatives * 100).toFixed(1)}%)`);
  const { epochs, finetuneEpochs } = epochBudget(config, pairs.user.length);
  if (epochs < config.epochs) p.info(`train: ${epochs} epochs (+${finetuneEpochs} fine-tuning) fit the budget of ${config.maxSamples} samples`);
  const trained = await trainMf(pairs, { ...mfOpts, epochs, onEpoch: (e, loss) => p.bar(`train loss ${loss.toFixed(4)}`, e + 1, epochs) });

  // 2. Judge it on the holdout, and fit there how much personal taste to layer on base appeal.
  let metrics: Record<string, unknown> = { holdout: null };
  let blend: Blend | null = null;
  let recent: RecentFit = NO_RECENT_FIT;
  let profile: SessionFit = { weight: 0, blend: null };
  let past: SessionFit = { weight: 0, blend: null };
  const content = contentFeatures(itemIds.map((id) => byId.get(id)));
  if (hasHoldout) {
    const trainRows = await readItemPositionStats(c, trainBefore);
    const trainReading = examinationWeights(await readExaminationCells(c, trainBefore), trainRows, ds.items, config.kMax, await readSlateSlots(c, trainBefore));
    const trainStats = examinedStats(trainRows, ds.items, trainReading);
    const before: BeforeHoldout = { cutoff: ds.cutoff, items: ds.items, params: trained.params, stats: trainStats, base: posteriorMeans(mixturePosteriors(trainStats, arrivals)) };
    metrics = await holdoutMetrics(c, config, before, (line) => p.info(line));
    const seen = new Uint8Array(ds.users);
    for (const u of pairs.user) seen[u] = 1;
    const held = await readHeldOutRows(c, config, ds.cutoff);
    blend = holdoutBlend(held, config, before, seen);
    const profiles = contentProfiles(pairs, content, CONTENT_BUCKETS, ds.users);
    profile = holdoutTermFit(held, config, before, personalWeight(blend), seen, (u, i) => profileScore(profiles, content, CONTENT_BUCKETS, u, i));
    if (profile.blend) p.info(`content profile: weight ${profile.weight.toFixed(3)} (log-loss ${profile.blend.logLoss.toFixed(4)} vs ${profile.blend.logLossBaseOnly.toFixed(4)}, ${profile.blend.n} held-out showings)`);
    const mu = profile.weight;
    const withProfile = mu > 0 ? (u: number, i: number) => mu * profileScore(profiles, content, CONTENT_BUCKETS, u, i) : undefined;
    const clickedBefore = pastClicks(pairs);
    const clicked = (u: number, i: number) => (clickedBefore.get(u)?.includes(i) ? 1 : 0);
    past = holdoutTermFit(held, config, before, personalWeight(blend), seen, clicked, withProfile);
    if (past.blend) p.info(`past clicks: weight ${past.weight.toFixed(3)} (log-loss ${past.blend.logLoss.toFixed(4)} vs ${past.blend.logLossBaseOnly.toFixed(4)})`);
    const rho = past.weight;
    recent = await holdoutRecentFit(c, config, before, itemIds, personalWeight(blend), seen, withProfile || rho > 0 ? (u, i) => (withProfile ? withProfile(u, i) : 0) + rho * clicked(u, i) : undefined);
    const line = (f: SessionFit) => `${f.weight.toFixed(3)}${f.blend ? ` (log-loss ${f.blend.logLoss.toFixed(4)} vs ${f.blend.logLossBaseOnly.toFixed(4)})` : ''}`;
    if (recent.rows > 0) p.info(`recent items (${recent.rows} held-out showings): weight ${line(recent.wasm)} for unknown users, ${line(recent.cache)} on cached candidates`);
  }
  const lambda = personalWeight(blend);
  if (blend) p.info(`blend: base ${blend.a.toFixed(3)}, personal ${blend.b.toFixed(3)} → λ = ${lambda.toFixed(3)} (log-loss ${blend.logLoss.toFixed(4)} vs ${blend.logLossBaseOnly.toFixed(4)} base-only, ${blend.n} held-out showings)`);

  // 3. Fine-tune on everything for the published model.
  let params = trained.params;
  let finetune: MfResult | null = null;
  const all = hasHoldout && (finetuneEpochs > 0 || profile.weight > 0 || past.weight > 0) ? await readTrainingPairs(c, { before: ds.maxTs + 1, negativesPerPositive: config.negativesPerPositive, seed: config.seed + 1 }) : pairs;
  if (hasHoldout && finetuneEpochs > 0) {
    finetune = await trainMf(all, { ...mfOpts, epochs: finetuneEpochs, learningRate: config.learningRate / 2, init: params, seed: config.seed + 1 });
    params = finetune.params;
    p.info(`fine-tune: ${finetuneEpochs} epoch(s) over ${all.user.length} examples`);
  }

  // 4. What serves: posteriors from every row, cold items from content, candidates by base appeal + λ · personal taste.
  const allRows = await readItemPositionStats(c, ds.maxTs + 1);
  const examination = examinationWeights(await readExaminationCells(c, ds.maxTs + 1), allRows, ds.items, config.kMax, await readSlateSlots(c, ds.maxTs + 1));
  const theta = examination.reading;
  const stats = examinedStats(allRows, ds.items, examination);
  const posteriors = mixturePosteriors(stats, arrivals);
  const cold = fillColdItems(params, content, CONTENT_BUCKETS, Array.from(stats.rewarded, (r) => r > 0), { seed: config.seed });
  const userRows = Int32Array.from(userKeys, (_, u) => u);
  // logit(base appeal), or its optimistic value with --optimism (z = 0 is the mean, bit for bit).
  const optimism = config.explore ? config.optimism : 0;
  const challengers = config.explore ? challengerRows(posteriors, { k: config.kDefault, budget: config.challengers, exposure: stats.exposure, createdAt }) : null;
  const ranking = servingParams(params, optimisticBase(posteriors, optimism, challengers), lambda);
  const candidates = await topKForUsers(ranking, userRows, candidatesPerUser(config));
  const profiles = profile.weight > 0 ? contentProfiles(all, content, CONTENT_BUCKETS, ds.users) : null;
  if (profiles) rerankWithProfiles(candidates, userRows, profiles, content, CONTENT_BUCKETS, profile.weight);
  // The user's past clicks last, on top of everything else the list ranks by; the ones it lacks come in at that score.
  if (past.weight > 0) rerankWithPastClicks(candidates, userRows, pastClicks(all), past.weight, (u, i) => modelScore(ranking, u, i) + (profiles ? profile.weight * profileScore(profiles, content, CONTENT_BUCKETS, u, i) : 0));
  p.info(`candidates: top ${candidatesPerUser(config)} of ${ds.items} items for ${userKeys.length} users`);
  const runs = [trained, ...(finetune ? [finetune] : [])];
  const samples = runs.reduce((a, r) => a + r.samples, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
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
    recent,
    personalWeight: lambda,
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
      samples,
      samples_per_s: Math.round(samples / (seconds || 1)),
      train_seconds: round6(seconds),
      losses: trained.losses.map(round6),
      cold_items: cold,
      new_arrivals: { items: arrivals.reduce((a, x) => a + x, 0), ...(posteriors.newArrivals ? { examined: posteriors.newArrivals.examined, lr: round6(posteriors.newArrivals.lr), own_prior: posteriors.newArrivals.ownPrior } : {}) },
      recent: { rows: recent.rows, wasm: sessionRecord(recent.wasm), cache: sessionRecord(recent.cache) },
      content_profile: sessionRecord(profile),
      past_clicks: sessionRecord(past),
      examination: examination.source,
      stop_factors: { fitted: examination.fittedStop, applied: examination.stop },
      cascade: examination.cascade ? { stop: round6(examination.cascade.stop), read: examination.cascade.read.map(round6) } : null,
      candidate_optimism: optimism,
      challengers: challengers ? { items: challengers.rows.size, bar: round6(challengers.bar) } : null,
      blend: blend ? { a: round6(blend.a), b: round6(blend.b), lambda: round6(lambda), n: blend.n, clicks: blend.clicks, log_loss: round6(blend.logLoss), log_loss_base_only: round6(blend.logLossBaseOnly), position_logits: blend.positionLogits.map(round6) } : { lambda },
      users: ds.users,
      items: ds.items,
      seed: config.seed,
      attribution_window_ms: config.attributionWindowMs,
      rewards: config.rewards,
      train_cutoff_ts: trainBefore,
      eval_slice: evalSlice,
    },
    evalSlice,
  };
}

/** What the manifest keeps of a session-taste fit. */
function sessionRecord(f: SessionFit): Record<string, number> {
  return { weight: round6(f.weight), ...(f.blend ? { a: round6(f.blend.a), b: round6(f.blend.b), n: f.blend.n, clicks: f.blend.clicks, log_loss: round6(f.blend.logLoss), log_loss_base_only: round6(f.blend.logLossBaseOnly) } : {}) };
}

