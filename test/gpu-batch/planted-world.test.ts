import { describe, expect, it } from 'vitest';
import { readManifest, readPointer } from '../../shared/artifact/verify.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { parseConfig } from '../../gpu-batch/config/config.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import { DAY, T0, seedLogs, tempWorkDir } from '../support/batch-fixtures.js';

/**
 * A seeded world of 2,000 users × 1,000 items with planted latent preferences; clicks are
 * sampled from the ground truth on uniformly explored slates. The run's own time-split holdout
 * (newest 20% of impressions) must show the trained ranking recovering the preferences: recall@10
 * on held-out clicks at least 1.5× that of popularity (by clicks, and by posterior mean).
 * Production defaults apart from the backend, so this also pins the default hyperparameters.
 */
describe('planted-preference world', () => {
  it('trained recall@10 on held-out clicks is ≥ 1.5× popularity', async () => {
    const store = new MemoryStore();
    const work = await tempWorkDir();
    try {
      await seedLogs(store, { users: 2000, items: 1000, impressionsPerUser: 20, seed: 7, start: T0, spanMs: 2 * DAY, perObject: 1000, duplicateObjects: 0.05 });
      const config = parseConfig({ s3: { bucket: 'slatecast' }, workDir: work.dir, backend: 'wasm', serve: {} });
      const r = await runBatch(config, { store, now: () => T0 + 3 * DAY });
      expect(r.status).toBe('published');
      const p = (await readPointer(store))!;
      const m = await readManifest(store, p.pointer.version, p.pointer.manifest_sha256);
      const metrics = m.metrics as { k: number; holdout: { users: number }; model: Record<string, number>; popularity: Record<string, number>; popularity_posterior: Record<string, number> };
      expect(metrics.k).toBe(10);
      expect(metrics.holdout.users).toBeGreaterThan(1500);
      const model = metrics.model.recall_at_10!;
      console.info(`recall@10 model ${model}, popularity ${metrics.popularity.recall_at_10}, posterior popularity ${metrics.popularity_posterior.recall_at_10}`);
      expect(model).toBeGreaterThanOrEqual(1.5 * metrics.popularity.recall_at_10!);
      expect(model).toBeGreaterThanOrEqual(1.5 * metrics.popularity_posterior.recall_at_10!);
      expect(metrics.model.ndcg_at_10).toBeGreaterThan(metrics.popularity.ndcg_at_10!);
      // Personalised lists cover far more of the catalog than one global list.
      expect(metrics.model.coverage).toBeGreaterThan(10 * metrics.popularity.coverage!);
    } finally {
      await work.cleanup();
    }
  });
});
