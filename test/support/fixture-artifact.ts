import { publishVersion, type PublishResult } from '../../shared/artifact/publish.js';
import { shardFile, shardOf, versionName } from '../../shared/artifact/paths.js';
import { utf8 } from '../../shared/crypto/encoding.js';
import { userKey } from '../../shared/crypto/hmac.js';
import type { Policy, SurfaceConfig, UserSlateShard } from '../../shared/schemas/artifact.js';
import type { PosteriorsFile } from '../../shared/schemas/posteriors.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { quantizeRows } from '../../shared/scoring/quantize.js';

/**
 * Writes a small but real artifact version (the format the batch tier publishes) for tests that
 * need one before or without the batch tier. Runs in Node and inside workerd.
 */
export interface FixtureOptions {
  salt: string;
  /** Users with cached candidates: raw id → ranked item ids. */
  users?: Record<string, string[]>;
  items?: number;
  pool?: string[];
  epsilon?: number;
  shards?: number;
  now?: number;
  suffix?: string;
  /** Extra or replaced surfaces. */
  surfaces?: Record<string, SurfaceConfig>;
  /** Writes posteriors.json: item id → [alpha, beta]. */
  posteriors?: Record<string, [number, number]>;
  /** History length stored with every cached user. */
  historyLength?: number;
  /** Writes items.f32, items.i8 and items.scale.f32 (n × dims) for the wasm scorer; `recent`: items.json's (the last dim is the base column). */
  matrix?: { dims: number; values: Float32Array; recent?: { weight: number; cache_weight: number; base_scale: number } };
  /** Publish as a canary beside CURRENT's version, to this share of users. */
  canary?: { share: number };
}

export async function publishFixture(store: ObjectStore, o: FixtureOptions): Promise<PublishResult & { policy: Policy }> {
  const now = o.now ?? Date.now();
  const version = versionName(now, o.suffix ?? 'f1f1f1');
  const n = o.items ?? 60;
  const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
  const shards = o.shards ?? 4;
  const policy: Policy = {
    schema: 'policy/v1',
    version,
    default_surface: 'home',
    surfaces: {
      home: { strategy: { name: 'epsilon-greedy', epsilon: o.epsilon ?? 0.2 }, k_default: 5, k_max: 10 },
      cart: { strategy: { name: 'epsilon-greedy', epsilon: 0 }, k_default: 3, k_max: 5 },
      ...o.surfaces,
    },
    exploration_pool: o.pool ?? ids.slice(n - 10),
    popularity: ids.slice(0, 30).map((item, i) => ({ item, score: 30 - i })),
    candidates_per_user: 30,
  };
  const shardDocs: UserSlateShard[] = Array.from({ length: shards }, (_, s) => ({ schema: 'user-slates/v1', shard: s, shards, users: {} }));
  for (const [user, items] of Object.entries(o.users ?? {})) {
    const uk = await userKey(o.salt, user);
    shardDocs[shardOf(uk, shards)]!.users[uk] = { items, scores: items.map((_, i) => 1 - i / items.length), ...(o.historyLength === undefined ? {} : { n: o.historyLength }) };
  }
  const dims = o.matrix?.dims ?? 0;
  const files: Record<string, Uint8Array> = { 'policy.json': utf8(JSON.stringify(policy)), 'items.json': utf8(JSON.stringify({ schema: 'items/v1', dims, ids, ...(o.matrix?.recent ? { recent: o.matrix.recent } : {}) })) };
  if (o.matrix) {
    const q = quantizeRows(o.matrix.values, dims);
    files['items.f32'] = new Uint8Array(o.matrix.values.buffer.slice(0));
    files['items.i8'] = new Uint8Array(q.q.buffer.slice(0));
    files['items.scale.f32'] = new Uint8Array(q.scale.buffer.slice(0));
  }
  for (const d of shardDocs) files[shardFile(d.shard)] = utf8(JSON.stringify(d));
  if (o.posteriors) {
    const ids = Object.keys(o.posteriors);
    const post: PosteriorsFile = {
      schema: 'posteriors/v1',
      prior: { alpha: 1, beta: 1 },
      position_weights: [1],
      ids,
      alpha: ids.map((i) => o.posteriors![i]![0]),
      beta: ids.map((i) => o.posteriors![i]![1]),
      impressions: ids.map(() => 0),
      rewarded: ids.map(() => 0),
    };
    files['posteriors.json'] = utf8(JSON.stringify(post));
  }
  const res = await publishVersion(
    store,
    { version, created_at: now, parent_version: null, shards, item_count: n, dims, training: { backend: 'fixture' }, metrics: {}, counts: {}, gate: null },
    files,
    { reason: 'fixture', now, ...(o.canary ? { canary: o.canary } : {}) },
  );
  return { ...res, policy };
}
