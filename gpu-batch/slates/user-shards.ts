import { shardOf } from '../../shared/artifact/paths.js';
import type { UserSlateShard } from '../../shared/schemas/artifact.js';
import type { TopK } from '../train/top-k.js';

/**
 * How many shard files: about 2,000 users each (a shard is one object the edge fetches and caches
 * per isolate, so small enough to parse quickly), at least 1, at most 256 unless configured.
 */
export function shardCount(users: number, configured: number): number {
  if (configured > 0) return configured;
  return Math.min(256, Math.max(1, Math.ceil(users / 2000)));
}

/**
 * Groups each user's ranked candidates into `user-slates/<shard>.json` documents.
 * Scores are rounded to 5 significant decimals: the edge only needs their order and rough size.
 * @param userKeys key of each user in `users` order
 * @param top one row per user, item rows
 * @param itemIds id of each item row
 * @param history impressions seen per user (stored as `n`), when known
 */
export function buildShards(userKeys: readonly string[], top: TopK, itemIds: readonly string[], shards: number, history?: ArrayLike<number>): UserSlateShard[] {
  const out: UserSlateShard[] = Array.from({ length: shards }, (_, shard) => ({ schema: 'user-slates/v1', shard, shards, users: {} }));
  userKeys.forEach((key, u) => {
    const items: string[] = [];
    const scores: number[] = [];
    for (let j = 0; j < top.k; j++) {
      items.push(itemIds[top.items[u * top.k + j]!]!);
      scores.push(Math.round(top.scores[u * top.k + j]! * 1e5) / 1e5);
    }
    out[shardOf(key, shards)]!.users[key] = history ? { items, scores, n: history[u]! } : { items, scores };
  });
  return out;
}
