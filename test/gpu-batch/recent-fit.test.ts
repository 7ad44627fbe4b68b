import { describe, expect, it } from 'vitest';
import { readVerifiedJson } from '../../shared/artifact/verify.js';
import { ItemsFile } from '../../shared/schemas/artifact.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { catalogNdjson } from '../../gpu-batch/catalog/parse-catalog.js';
import { trainingRng } from '../../gpu-batch/train/init.js';
import { makeWorld, simulateLogs } from '../../worlds/synth/index.js';
import { DAY, T0, publishFromLogs } from '../support/batch-fixtures.js';

type Fit = { weight: number; a?: number; b?: number; n?: number; log_loss?: number; log_loss_base_only?: number };
type Recent = { rows: number; wasm: Fit; cache: Fit };

/**
 * The wasm step's weight of recent items' taste, fitted by a batch run on the held-out showings
 * whose impressions logged `recent_item_ids`: in a world of strong personal taste, the items a
 * user clicked before predict what they click next (weight > 0); the same logs with every recent
 * list replaced by random items carry no such signal (weight 0 by the likelihood-ratio test).
 */
async function fit(seed: number, scramble: boolean): Promise<{ recent: Recent; items: ItemsFile; dims: number }> {
  const store = new MemoryStore();
  const world = makeWorld({ users: 600, items: 200, seed });
  await store.put(CATALOG_KEY, catalogNdjson(world.items));
  const logs = simulateLogs(world, { impressionsPerUser: 20, k: 10, epsilon: 1, start: T0, spanMs: DAY, seed, recent: 5 });
  if (scramble) {
    const rng = trainingRng(seed, 9);
    for (const imp of logs.impressions) imp.context.recent_item_ids = imp.context.recent_item_ids.map(() => world.items[Math.floor(rng.next() * world.items.length)]!.id);
  }
  const m = await publishFromLogs(store, logs, seed);
  return { recent: m.training.recent as Recent, items: await readVerifiedJson(store, m, 'items.json', ItemsFile), dims: m.dims };
}

describe('recent items: the wasm step\'s weight of their taste, fitted on the holdout', () => {
  it('is positive when recent clicks predict the next ones, and 0 when the lists are random', async () => {
    for (const seed of [1, 2]) {
      const { recent, items, dims } = await fit(seed, false);
      console.info(`seed ${seed}: ${recent.rows} rows; wasm weight ${recent.wasm.weight} (log-loss ${recent.wasm.log_loss} vs ${recent.wasm.log_loss_base_only}), cache weight ${recent.cache.weight} (${recent.cache.log_loss} vs ${recent.cache.log_loss_base_only} over ${recent.cache.n} rows)`);
      // ~2,400 held-out impressions, most with recent items: the term is clear of the test's 1% level.
      expect(recent.rows).toBeGreaterThan(10_000);
      expect(recent.wasm.weight).toBeGreaterThan(0.1);
      expect(recent.wasm.log_loss!).toBeLessThan(recent.wasm.log_loss_base_only!);
      // Users the model knows: the session adds less on top of their own taste, but still adds.
      expect(recent.cache.weight).toBeGreaterThan(0);
      expect(recent.cache.weight).toBeLessThan(recent.wasm.weight);
      expect(items.recent).toEqual({ weight: recent.wasm.weight, cache_weight: recent.cache.weight, base_scale: expect.any(Number) });
      expect(items.dims).toBe(dims + 1);
    }
    const control = await fit(1, true);
    console.info(`scrambled: weights ${control.recent.wasm.weight} / ${control.recent.cache.weight}`);
    expect(control.recent.rows).toBeGreaterThan(10_000);
    expect(control.recent.wasm.weight).toBe(0);
    expect(control.recent.cache.weight).toBe(0);
  }, 300_000);
});
