import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { catalogNdjson } from '../../gpu-batch/catalog/parse-catalog.js';
import { pastClicks, rerankWithPastClicks } from '../../gpu-batch/train/past-clicks.js';
import { makeWorld, simulateLogs } from '../../worlds/synth/index.js';
import { DAY, T0, publishFromLogs } from '../support/batch-fixtures.js';

describe('past clicks', () => {
  it('are each user\'s rewarded items, once each', () => {
    const pairs = { user: Int32Array.from([0, 0, 0, 1, 0]), item: Int32Array.from([3, 4, 3, 4, 5]), y: Float32Array.from([1, 0, 1, 0, 1]), w: Float32Array.from([1, 2, 1, 1, 2]), positives: 3, keepNegatives: 1 };
    expect([...pastClicks(pairs)]).toEqual([[0, [3, 5]]]);
  });

  it('gain the weight in their user\'s list; those it lacks come in at the list\'s own score, the weakest candidate goes', () => {
    // Two lists of 3; user 0 clicked item 9 (not listed) and item 2 (listed last); user 1 clicked nothing.
    const top = { k: 3, items: Int32Array.from([0, 1, 2, 0, 1, 2]), scores: Float32Array.from([0.9, 0.5, 0.4, 0.9, 0.5, 0.4]) };
    const score = (_u: number, i: number) => (i === 9 ? 0.1 : Number.NaN);
    rerankWithPastClicks(top, [0, 1], new Map([[0, [9, 2]]]), 0.6, score);
    expect([...top.items.subarray(0, 3)]).toEqual([2, 0, 9]); // 1.0, 0.9, 0.7; item 1 (0.5) leaves
    expect([...top.scores.subarray(0, 3)].map((s) => Math.round(s * 1e6) / 1e6)).toEqual([1, 0.9, 0.7]);
    expect([...top.items.subarray(3, 6)]).toEqual([0, 1, 2]);
  });
});

type Fit = { weight: number; n?: number; log_loss?: number; log_loss_base_only?: number };

/**
 * The past clicks' weight, fitted by a batch run on the held-out showings of known users: users who
 * click what they liked again (the synthetic world's fixed tastes) make it positive; the same logs
 * with every repeat click removed (a site where nobody clicks an item twice) make it 0 — the term
 * then predicts the absence of a click, and a list never demotes a past click below its own score.
 */
async function fit(seed: number, noRepeats: boolean): Promise<Fit> {
  const store = new MemoryStore();
  const world = makeWorld({ users: 800, items: 300, seed });
  await store.put(CATALOG_KEY, catalogNdjson(world.items));
  // A mostly exploited list: users see the same items again, the case the term is about.
  const logs = simulateLogs(world, { impressionsPerUser: 12, k: 10, epsilon: 0.3, start: T0, spanMs: DAY, seed });
  if (noRepeats) {
    const seen = new Set<string>();
    logs.events = [...logs.events].sort((a, b) => a.ts - b.ts).filter((e) => {
      const key = `${e.user_key}|${e.item_id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return (await publishFromLogs(store, logs, seed)).training.past_clicks as Fit;
}

describe('the past clicks\' weight, fitted on the holdout', () => {
  it('is positive when users click again what they clicked, and 0 when nobody clicks an item twice', async () => {
    for (const seed of [1, 2]) {
      const repeat = await fit(seed, false);
      const once = await fit(seed, true);
      console.info(`seed ${seed}: weight ${repeat.weight} (log-loss ${repeat.log_loss} vs ${repeat.log_loss_base_only}, ${repeat.n} rows); no repeats ${once.weight} (${once.log_loss} vs ${once.log_loss_base_only})`);
      expect(repeat.weight).toBeGreaterThan(0.1);
      expect(repeat.log_loss!).toBeLessThan(repeat.log_loss_base_only!);
      expect(once.weight).toBe(0);
    }
  }, 240_000);
});
