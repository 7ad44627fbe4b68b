import type { CatalogItem } from '../../shared/schemas/catalog.js';
import type { BatchConfig } from '../config/config.js';
import type { ItemStats } from '../policy/item-stats.js';
import { betaPosteriors } from '../policy/posteriors.js';
import { fillColdItems } from '../train/cold-items.js';
import { CONTENT_BUCKETS, contentFeatures } from '../train/content-features.js';
import type { MfParams } from '../train/mf-model.js';
import type { Learned } from './learn.js';

/** No logs yet: content vectors for the edge's similarity scorer, newest items first, ε = max. */
export function bootstrap(config: BatchConfig, catalog: readonly CatalogItem[], backend: Record<string, unknown>): Learned {
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
    training: { ...backend, model: 'bootstrap-content', dims: config.dims, cold_items: n, users: 0, items: n, seed: config.seed },
    evalSlice: 0,
  };
}
