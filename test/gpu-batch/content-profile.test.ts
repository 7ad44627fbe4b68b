import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { catalogNdjson } from '../../gpu-batch/catalog/parse-catalog.js';
import { trainingRng } from '../../gpu-batch/train/init.js';
import { contentProfiles, profileScore, rerankWithProfiles } from '../../gpu-batch/train/content-profile.js';
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
    // Re-ranking: each list's scores gain w · R_u · x_i and the list is re-sorted; nothing enters it.
    const top = { k: 3, items: Int32Array.from([2, 1, 0, 0, 1, 2]), scores: Float32Array.from([0.3, 0.2, 0.1, 0.3, 0.2, 0.1]) };
    rerankWithProfiles(top, [0, 1], r, x, 2, 0.5);
    const rescored = (u: number, i: number, s: number) => s + 0.5 * profileScore(r, x, 2, u, i);
    expect([...top.items.subarray(0, 3)]).toEqual([0, 2, 1]); // 0.1 + 0.5·0.625, 0.3 + 0.5·0, 0.2 + 0.5·(−0.625)
    expect(top.scores[0]).toBeCloseTo(rescored(0, 0, 0.1), 6);
    // User 1 passed nothing over: R = x_2, equally close to every item here — the order stays.
    expect([...top.items.subarray(3, 6)]).toEqual([0, 1, 2]);
    expect(top.scores[3]).toBeCloseTo(0.3 + 0.25, 6);
    for (let t = 1; t < 3; t++) expect(top.scores[t]!).toBeLessThanOrEqual(top.scores[t - 1]!);
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
