import { sampleSlate } from '../../shared/explore/index.js';
import { rngForImpression } from '../../shared/rng.js';
import type { EventRecord } from '../../shared/schemas/event.js';
import type { ImpressionRecord } from '../../shared/schemas/impression.js';
import { trainingRng } from '../../gpu-batch/train/init.js';
import { clickProbability, synthUuid, type World } from './world.js';

export interface SimulateOptions {
  /** Impressions per user (each at a uniformly random time in the span). */
  impressionsPerUser: number;
  k: number;
  /** Exploration rate of the logging policy; 1 = uniformly random slates. */
  epsilon: number;
  start: number;
  spanMs: number;
  seed: number;
  /** Fraction of clicks that arrive after the attribution window (they must earn no reward). */
  lateFraction?: number;
  attributionWindowMs?: number;
  policyVersion?: string;
  /**
   * Each impression's `context.recent_item_ids`: the user's items clicked in their earlier
   * impressions, newest first, at most this many (default 0: none). Added after the draws, so the
   * same seed gives the same slates and clicks whatever this is.
   */
  recent?: number;
}

/**
 * Plays the logging policy against the world: each impression is an epsilon-greedy slate (the
 * shared strategy, so propensities are the real ones) over a fixed global ranking (item quality)
 * with every item in the pool, and each shown item is clicked with its ground-truth probability.
 * @returns records sorted by time
 */
export function simulateLogs(w: World, o: SimulateOptions): { impressions: ImpressionRecord[]; events: EventRecord[] } {
  const rng = trainingRng(o.seed, 202);
  const window = o.attributionWindowMs ?? 30 * 60_000;
  const nItems = w.items.length;
  const ranked = Array.from({ length: nItems }, (_, i) => i)
    .sort((a, b) => w.itemBias[b]! - w.itemBias[a]!)
    .slice(0, Math.max(o.k * 3, 30))
    .map((i) => ({ item: w.items[i]!.id, score: w.itemBias[i]! }));
  const pool = w.items.map((i) => i.id);
  const rowOf = new Map(w.items.map((it, i) => [it.id, i]));
  const spec = { name: 'epsilon-greedy' as const, epsilon: o.epsilon };
  const impressions: ImpressionRecord[] = [];
  const events: EventRecord[] = [];
  for (let u = 0; u < w.userKeys.length; u++) {
    for (let n = 0; n < o.impressionsPerUser; n++) {
      const ts = o.start + Math.floor(rng.next() * o.spanMs);
      const id = synthUuid(rng);
      const slate = sampleSlate(spec, { ranked, pool, k: o.k }, rngForImpression(id));
      const rec: ImpressionRecord = {
        schema: 'impression/v1',
        impression_id: id,
        ts,
        user_key: w.userKeys[u]!,
        surface: 'home',
        policy_version: o.policyVersion ?? 'synthetic',
        strategy: spec,
        propensity_type: 'marginal_position',
        propensity_method: 'exact',
        source: 'cache',
        k: o.k,
        items: slate.items,
        slate_propensity: slate.slate_propensity,
        context: { recent_item_ids: [], exclude_item_ids: [], locale: null },
      };
      impressions.push(rec);
      for (const it of slate.items) {
        if (rng.next() >= clickProbability(w, u, rowOf.get(it.item_id)!, it.position)) continue;
        const late = rng.next() < (o.lateFraction ?? 0);
        const delay = late ? window + 60_000 + Math.floor(rng.next() * 600_000) : Math.floor(rng.next() * 300_000);
        events.push({
          schema: 'event/v1',
          event_id: `${id}:${it.item_id}:click`,
          impression_id: id,
          user_key: rec.user_key,
          item_id: it.item_id,
          position: it.position,
          type: 'click',
          value: null,
          ts: ts + delay,
          received_at: ts + delay,
          policy_version: rec.policy_version,
        });
      }
    }
  }
  impressions.sort((a, b) => a.ts - b.ts);
  events.sort((a, b) => a.received_at - b.received_at);
  if (o.recent) {
    const clicked = new Map<string, string[]>();
    for (const e of events) clicked.set(e.impression_id, [...(clicked.get(e.impression_id) ?? []), e.item_id]);
    const byUser = new Map<string, string[]>();
    for (const imp of impressions) {
      const before = byUser.get(imp.user_key) ?? [];
      imp.context.recent_item_ids = before.slice(0, o.recent);
      const now = clicked.get(imp.impression_id);
      if (now) byUser.set(imp.user_key, [...new Set([...now, ...before])]);
    }
  }
  return { impressions, events };
}
