import type { DuckDBConnection } from '@duckdb/node-api';
import type { BatchConfig } from '../config/config.js';
import { readHoldout, readRecentRows, readShownRows, type ShownRows } from '../dataset/read-dataset.js';
import { popularityLists, rankingMetrics, type RankingMetrics } from '../metrics/ranking-metrics.js';
import type { ItemStats } from '../policy/item-stats.js';
import { fitBlend, personalWeight, type Blend } from '../policy/serving-blend.js';
import { logit } from '../../shared/stats/logistic.js';
import { tasteScore, type MfParams } from '../train/mf-model.js';
import { topKForUsers } from '../train/top-k.js';
import { round6 } from '../util/round.js';

const METRIC_K = 10;

/** What the model trained before the holdout cutoff knows, to judge it on the holdout. */
export interface BeforeHoldout {
  cutoff: number;
  items: number;
  params: MfParams;
  stats: ItemStats;
  /** Base appeal (posterior means) from the rows before the cutoff. */
  base: Float64Array;
}

/**
 * Recall/NDCG/coverage/diversity/novelty@10 of the model against popularity (clicks) and
 * posterior popularity on the held-out clicks (`manifest.metrics`); `{ holdout: null }` when the
 * holdout has no clicks.
 */
export async function holdoutMetrics(c: DuckDBConnection, config: BatchConfig, m: BeforeHoldout, info: (line: string) => void): Promise<Record<string, unknown>> {
  const heldout = await readHoldout(c, m.cutoff);
  const users = [...heldout.keys()].sort((a, b) => a - b);
  if (users.length === 0) return { holdout: null };
  const k = Math.min(METRIC_K, m.items);
  const score = (lists: Parameters<typeof rankingMetrics>[0]) => rankingMetrics(lists, users, heldout, k, m.params.item, config.dims, m.stats.rewarded);
  const model = score(await topKForUsers(m.params, users, k));
  const pop = score(popularityLists(m.stats.rewarded, m.stats.impressions, users.length, k));
  const popPosterior = score(popularityLists(m.base, m.stats.impressions, users.length, k));
  info(`holdout: recall@${k} model ${model.recall.toFixed(4)} vs popularity ${pop.recall.toFixed(4)} (${users.length} users)`);
  return {
    k,
    holdout: { fraction: config.holdoutFraction, cutoff_ts: m.cutoff, users: users.length, positives: [...heldout.values()].reduce((a, s) => a + s.size, 0) },
    model: round(model),
    popularity: round(pop),
    popularity_posterior: round(popPosterior),
    recall_ratio: pop.recall > 0 ? Math.round((model.recall / pop.recall) * 1000) / 1000 : null,
  };
}

/** The held-out showings the personal and content-profile weights are fitted on: a seeded sample of at most 200,000. */
export function readHeldOutRows(c: DuckDBConnection, config: BatchConfig, cutoff: number): Promise<ShownRows> {
  return readShownRows(c, cutoff, 200_000, config.seed);
}

/**
 * How much personal taste to layer on base appeal, fitted on held-out showings the model did not
 * see (`fitBlend`, rows from `readHeldOutRows`); users the model never trained on get no personal
 * score.
 * @param trained 1 for each user row the model trained on
 */
export function holdoutBlend(rows: ShownRows, config: BatchConfig, m: BeforeHoldout, trained: Uint8Array): Blend | null {
  return fitBlend(
    {
      base: Float64Array.from(rows.item, (i) => logit(m.base[i]!)),
      personal: Float64Array.from(rows.user, (u, r) => (trained[u] ? tasteScore(m.params, u, rows.item[r]!) : 0)),
      position: rows.position,
      y: rows.y,
    },
    config.kMax,
  );
}

/**
 * How much of a further term of known users' lists to layer on what the version serves them
 * (base appeal + λ · U_u·V_i, plus `served` when given: the terms fitted before this one), fitted
 * like the personal weight (`fitBlend`, `personalWeight`: 0 unless the term passes the
 * likelihood-ratio test) on the held-out showings of users the model trained on. Users it did not
 * train on keep the served score alone. The terms: the content profile R_u · x_i
 * (`contentProfiles` of the training rows), the user's past clicks (`pastClicks`, 1 or 0).
 * @param rows from `readHeldOutRows`; `score`: the term of (user row, item row)
 */
export function holdoutTermFit(rows: ShownRows, config: BatchConfig, m: BeforeHoldout, lambda: number, trained: Uint8Array, score: (u: number, i: number) => number, served?: (u: number, i: number) => number): SessionFit {
  const keep: number[] = [];
  for (let r = 0; r < rows.y.length; r++) if (trained[rows.user[r]!]) keep.push(r);
  const before = Float64Array.from(keep, (r) => {
    const u = rows.user[r]!;
    const i = rows.item[r]!;
    return logit(m.base[i]!) + (lambda > 0 ? lambda * tasteScore(m.params, u, i) : 0) + (served ? served(u, i) : 0);
  });
  const blend = fitBlend(
    { base: before, personal: Float64Array.from(keep, (r) => score(rows.user[r]!, rows.item[r]!)), position: Int32Array.from(keep, (r) => rows.position[r]!), y: Float32Array.from(keep, (r) => rows.y[r]!) },
    config.kMax,
  );
  return { weight: blend ? personalWeight(blend) : 0, blend };
}

/** One weight of the session's taste and the fit behind it (null: too few rows to fit). */
export interface SessionFit {
  weight: number;
  blend: Blend | null;
}

/** The weights of recent items' taste (`items.json`'s `recent`) and their evidence. */
export interface RecentFit {
  /** For users the version does not know (the wasm step): on top of base appeal. */
  wasm: SessionFit;
  /** For users with cached candidates: on top of their served score. */
  cache: SessionFit;
  /** Held-out showings whose impression logged recent items. */
  rows: number;
}

/** No recent items in the logs: both weights 0. */
export const NO_RECENT_FIT: RecentFit = { wasm: { weight: 0, blend: null }, cache: { weight: 0, blend: null }, rows: 0 };

/**
 * How much of the taste of a user's recent items (the session) to layer on what the edge would
 * otherwise rank by, fitted like the personal weight (`fitBlend`, `personalWeight`) on held-out
 * showings whose impression logged `recent_item_ids`, with ⟨mean of the recent items' vectors,
 * v_i⟩ of the model trained before the holdout as the personal term. Two weights:
 * - `wasm`, for users the version does not know: over every such row, on top of base appeal (the
 *   wasm step's ranking);
 * - `cache`, for users with cached candidates: over the rows of users the model trained on, on
 *   top of their served score, base appeal + λ · U_u·v_i — what the session adds to what the
 *   version already knows of them (less than for a stranger; more where tastes drift).
 * Why two: one weight fitted on the served score came out at half the wasm step's own (long-tail:
 * 0.24–0.57 against 0.47–1.05) and cost cold users what the wasm step had won them.
 * Fitted on exactly what the site sends (whatever it calls recent), not on a reconstruction. 0 —
 * serve as without recent items — when no held-out impression carried them (the site sends none,
 * or has only just begun) or the term does not predict clicks beyond the score it is added to.
 * @param itemIds item ids by row (recent ids outside the catalog are ignored, as the edge does)
 * @param lambda the personal weight the version serves with; `trained`: user rows the model knows;
 *   `extra`: any further term of the served score of a known user (the content profile's)
 */
export async function holdoutRecentFit(c: DuckDBConnection, config: BatchConfig, m: BeforeHoldout, itemIds: readonly string[], lambda: number, trained: Uint8Array, extra?: (u: number, i: number) => number): Promise<RecentFit> {
  const rows = await readRecentRows(c, m.cutoff, 200_000, config.seed);
  if (rows.y.length === 0) return NO_RECENT_FIT;
  const d = config.dims;
  const { item: V } = m.params;
  const rowOf = new Map(itemIds.map((id, i) => [id, i]));
  const n = rows.y.length;
  const taste = new Float64Array(n);
  const base = new Float64Array(n);
  const served = new Float64Array(n);
  const q = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const i = rows.item[r]!;
    const u = rows.user[r]!;
    base[r] = logit(m.base[i]!);
    served[r] = base[r]! + (trained[u] ? (lambda > 0 ? lambda * tasteScore(m.params, u, i) : 0) + (extra ? extra(u, i) : 0) : 0);
    const recent = rows.recent[r]!.map((id) => rowOf.get(id)).filter((x): x is number => x !== undefined);
    if (recent.length === 0) continue;
    q.fill(0);
    for (const j of recent) for (let k = 0; k < d; k++) q[k]! += V[j * d + k]! / recent.length;
    let s = 0;
    for (let k = 0; k < d; k++) s += q[k]! * V[i * d + k]!;
    taste[r] = s;
  }
  const fit = (keep: (r: number) => boolean, score: Float64Array): SessionFit => {
    const idx: number[] = [];
    for (let r = 0; r < n; r++) if (keep(r)) idx.push(r);
    const blend = fitBlend(
      { base: Float64Array.from(idx, (r) => score[r]!), personal: Float64Array.from(idx, (r) => taste[r]!), position: Int32Array.from(idx, (r) => rows.position[r]!), y: Float32Array.from(idx, (r) => rows.y[r]!) },
      config.kMax,
    );
    return { weight: blend ? personalWeight(blend) : 0, blend };
  };
  return { wasm: fit(() => true, base), cache: fit((r) => trained[rows.user[r]!] === 1, served), rows: n };
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
