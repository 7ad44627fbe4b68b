import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { catalogNdjson } from '../../gpu-batch/catalog/parse-catalog.js';
import { trainingRng } from '../../gpu-batch/train/init.js';
import { contentProfiles, profileScore, withProfiles } from '../../gpu-batch/train/content-profile.js';
import type { MfParams } from '../../gpu-batch/train/mf-model.js';
import { makeWorld, simulateLogs } from '../../worlds/synth/index.js';
import { DAY, T0, publishFromLogs } from '../support/batch-fixtures.js';

describe('content profiles (Rocchio)', () => {
  it('are the clicked items\' mean content minus the passed-over items\' mean, weighted', () => {
    // 3 items × 2 buckets; user 0 clicked item 0 twice and passed over item 1 once and item 2 three times.
    const x = Float32Array.from([1, 0, 0, 1, 0.5, 0.5]);
    const pairs = { user: Int32Array.from([0, 0, 0, 1]), item: Int32Array.from([0, 1, 2, 2]), y: Float32Array.from([1, 0, 0, 1]), w: Float32Array.from([2, 1, 3, 1]), positives: 2, keepNegatives: 1 };
    const r = contentProfiles(pairs, x, 2, 3);
    const expected = [1 - (1 * 0 + 3 * 0.5) / 4, 0 - (1 * 1 + 3 * 0.5) / 4, 0.5, 0.5, 0, 0];
    r.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 6));
    expect(profileScore(r, x, 2, 0, 0)).toBeCloseTo(expected[0]!, 6);
    // Appended to serving parameters, the dot product adds w · R_u · x_i to the score.
    const p: MfParams = { dims: 1, user: Float32Array.from([2, 0, 1]), item: Float32Array.from([1, 1, 0]), bias: Float32Array.from([0.1, 0.2, 0.3]), globalBias: 0 };
    const q = withProfiles(p, r, x, 2, 0.5);
    const score = (m: MfParams, u: number, i: number) => {
      let s = m.bias[i]! + m.globalBias;
      for (let c = 0; c < m.dims; c++) s += m.user[u * m.dims + c]! * m.item[i * m.dims + c]!;
      return s;
    };
    for (let u = 0; u < 3; u++) for (let i = 0; i < 3; i++) expect(score(q, u, i)).toBeCloseTo(score(p, u, i) + 0.5 * profileScore(r, x, 2, u, i), 5);
  });
});

type Fit = { weight: number; n?: number; log_loss?: number; log_loss_base_only?: number };

/**
 * The content profile's weight, fitted by a batch run on the held-out showings of known users: in
 * a world whose catalog tags name each item's strongest taste direction, what a user clicked reads
 * like what they click next (weight > 0); the same logs with every item's text and tags taken from
 * another, random item carry no such signal (weight 0 by the likelihood-ratio test).
 */
async function fit(seed: number, scramble: boolean): Promise<Fit> {
  const store = new MemoryStore();
  // Few showings per user and many items: the MF's item vectors stay rough, as in the worlds.
  const world = makeWorld({ users: 1500, items: 600, seed });
  let items = world.items;
  if (scramble) {
    const rng = trainingRng(seed, 11);
    items = world.items.map((it) => {
      const other = world.items[Math.floor(rng.next() * world.items.length)]!;
      return { ...it, title: other.title, text: other.text, tags: other.tags };
    });
  }
  await store.put(CATALOG_KEY, catalogNdjson(items));
  const logs = simulateLogs(world, { impressionsPerUser: 8, k: 10, epsilon: 1, start: T0, spanMs: DAY, seed });
  return (await publishFromLogs(store, logs, seed)).training.content_profile as Fit;
}

describe('the content profile\'s weight, fitted on the holdout', () => {
  it('is positive when the catalog text tells taste, and 0 when each item has another\'s text', async () => {
    for (const seed of [1, 2]) {
      const real = await fit(seed, false);
      const scrambled = await fit(seed, true);
      console.info(`seed ${seed}: weight ${real.weight} (log-loss ${real.log_loss} vs ${real.log_loss_base_only}, ${real.n} rows); scrambled ${scrambled.weight} (${scrambled.log_loss} vs ${scrambled.log_loss_base_only})`);
      expect(real.weight).toBeGreaterThan(0.1);
      expect(real.log_loss!).toBeLessThan(real.log_loss_base_only!);
      expect(scrambled.weight).toBe(0);
    }
  }, 240_000);
});
