import type { DuckDBConnection } from '@duckdb/node-api';
import type { BatchConfig } from '../config/config.js';
import { readHoldout, readShownRows } from '../dataset/read-dataset.js';
import { popularityLists, rankingMetrics, type RankingMetrics } from '../metrics/ranking-metrics.js';
import type { ItemStats } from '../policy/item-stats.js';
import { fitBlend, logit, type Blend } from '../policy/serving-blend.js';
import type { MfParams } from '../train/mf-model.js';
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

/**
 * How much personal taste to layer on base appeal, fitted on held-out showings the model did not
 * see (`fitBlend`); users the model never trained on get no personal score.
 * @param trained 1 for each user row the model trained on
 */
export async function holdoutBlend(c: DuckDBConnection, config: BatchConfig, m: BeforeHoldout, trained: Uint8Array): Promise<Blend | null> {
  const rows = await readShownRows(c, m.cutoff, 200_000, config.seed);
  const d = config.dims;
  const { user: U, item: V } = m.params;
  return fitBlend(
    {
      base: Float64Array.from(rows.item, (i) => logit(m.base[i]!)),
      personal: Float64Array.from(rows.user, (u, r) => {
        if (!trained[u]) return 0;
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
