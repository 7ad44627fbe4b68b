import { z } from 'zod';
import { EpochMs, ItemId, Sha256, Surface, UserKey, Version } from './common.js';
import { K_HARD_CAP } from './slate.js';
import { StrategySpec } from './strategy.js';

/** Version of the artifact format; the edge refuses a manifest of another major version. */
export const ARTIFACT_SCHEMA = 'manifest/v1';

/** A version and the SHA-256 of its manifest: enough to load it verified. */
export const PointerEntry = z.object({ version: Version, manifest_sha256: Sha256 });
export type PointerEntry = z.infer<typeof PointerEntry>;

/**
 * A candidate served to a hashed share of users beside CURRENT's version, until the next batch
 * run promotes it or rolls it back on that traffic (see shared/artifact/canary.ts).
 */
export const Canary = z.object({
  version: Version,
  manifest_sha256: Sha256,
  /** The share of users (by hashed user key) the canary serves, in (0, 1). */
  share: z.number().gt(0).lt(1),
  started_at: EpochMs,
});
export type Canary = z.infer<typeof Canary>;

/** `artifacts/CURRENT`: the one mutable object, swapped with a conditional write. */
export const Pointer = z.object({
  schema: z.literal('pointer/v1'),
  version: Version,
  manifest_sha256: Sha256,
  updated_at: EpochMs,
  /** The version this pointer replaced, for `rollback` without arguments. */
  previous: Version.nullable(),
  /** Who swapped it and why: `publish`, `rollback`, `bootstrap` … */
  reason: z.string().max(200),
  /**
   * The versions CURRENT named before, newest first, each with its manifest checksum: when the
   * version named here fails verification, readers walk back to the newest one that passes
   * (see shared/artifact/history.ts). Absent in pointers written before it existed.
   */
  history: z.array(PointerEntry).max(32).optional(),
  /** A canary serving beside `version`; absent when none runs (every swap ends one). */
  canary: Canary.optional(),
});
export type Pointer = z.infer<typeof Pointer>;

/** One file of a version: path relative to `artifacts/<version>/`. */
export const ManifestFile = z.object({ sha256: Sha256, bytes: z.number().int().nonnegative() });

/** `artifacts/<version>/manifest.json`: every file of the version with its checksum. */
export const Manifest = z.object({
  schema: z.literal(ARTIFACT_SCHEMA),
  version: Version,
  created_at: EpochMs,
  parent_version: Version.nullable(),
  files: z.record(z.string().regex(/^[a-z0-9][a-z0-9_./-]*$/), ManifestFile),
  /** Number of `user-slates/<shard>.json` files; a user's shard is `shardOf(user_key, shards)`. */
  shards: z.number().int().positive(),
  item_count: z.number().int().nonnegative(),
  dims: z.number().int().nonnegative(),
  /** tfjs backend and training settings that produced this version. */
  training: z.record(z.string(), z.unknown()),
  /** Offline metrics on the holdout, OPE estimates. */
  metrics: z.record(z.string(), z.unknown()),
  /** Aggregate counts of the logs this version learned from (cumulative), for exactly-once checks. */
  counts: z.record(z.string(), z.number()),
  /** Deployment-gate decision, or null when no gate ran (bootstrap). */
  gate: z.record(z.string(), z.unknown()).nullable(),
  /**
   * What the run that published this version decided of the canary serving before it (promote,
   * rollback, wait, ended) and on what traffic; absent when none ran.
   */
  canary: z.record(z.string(), z.unknown()).optional(),
});
export type Manifest = z.infer<typeof Manifest>;

/** How one surface explores and how long its slates may be. */
export const SurfaceConfig = z.object({
  strategy: StrategySpec,
  k_default: z.number().int().min(1).max(K_HARD_CAP),
  k_max: z.number().int().min(1).max(K_HARD_CAP),
});
export type SurfaceConfig = z.infer<typeof SurfaceConfig>;

/** `policy.json`: what the edge needs besides per-user candidates. */
export const Policy = z
  .object({
    schema: z.literal('policy/v1'),
    version: Version,
    default_surface: Surface,
    surfaces: z.record(Surface, SurfaceConfig),
    /** New and under-shown items that exploration draws from. */
    exploration_pool: z.array(ItemId),
    /** Global ranking for users with nothing better (the last step of the scorer chain). */
    popularity: z.array(z.object({ item: ItemId, score: z.number() })),
    /** Length of each user's cached candidate list (≥ 3 × the largest k_max). */
    candidates_per_user: z.number().int().positive(),
    /** How many versions were trained before this one (annealing schedules read it). */
    generation: z.number().int().nonnegative().optional(),
  })
  .refine((p) => p.default_surface in p.surfaces, { message: 'default_surface must be one of surfaces', path: ['default_surface'] });
export type Policy = z.infer<typeof Policy>;

/** `user-slates/<shard>.json`: ranked candidates of every user whose key falls in the shard. */
export const UserSlateShard = z.object({
  schema: z.literal('user-slates/v1'),
  shard: z.number().int().nonnegative(),
  shards: z.number().int().positive(),
  users: z.record(
    UserKey,
    z.object({
      items: z.array(ItemId),
      scores: z.array(z.number()),
      /** The user's history length (impressions seen), read by history-decayed strategies. */
      n: z.number().int().nonnegative().optional(),
    }),
  ),
});
export type UserSlateShard = z.infer<typeof UserSlateShard>;

/**
 * How the edge uses a request's recent items (`items.json`'s `recent`): the matrix's last column
 * holds each item's base-appeal logit ÷ `base_scale`. A user without cached candidates gets items
 * scored base_i + weight · ⟨mean of the recent items' vectors, v_i⟩ (the wasm step,
 * `recentQuery`); a user with them gets each cached score plus cache_weight · the same taste
 * (`recentTaste`). Both weights are fitted by the batch tier on held-out showings; 0 leaves the
 * ranking as it would be without recent items (base appeal alone, the cached order).
 */
export const RecentQuerySpec = z.object({
  weight: z.number().finite().nonnegative(),
  cache_weight: z.number().finite().nonnegative(),
  base_scale: z.number().finite().positive(),
});
export type RecentQuerySpec = z.infer<typeof RecentQuerySpec>;

/**
 * `items.json`: item ids in matrix row order. The matrices beside it are little-endian, row-major:
 * `items.f32` (n × dims float32) and `items.i8` (n × dims int8) with `items.scale.f32` (n float32),
 * where vector ≈ int8 × scale of its row. With `recent`, the last of the dims is the base-appeal
 * column; without it (versions before it, bootstrap) every dim is the item's vector and the wasm
 * step ranks by the recent items' mean vector alone.
 */
export const ItemsFile = z.object({
  schema: z.literal('items/v1'),
  dims: z.number().int().nonnegative(),
  ids: z.array(ItemId),
  recent: RecentQuerySpec.optional(),
});
export type ItemsFile = z.infer<typeof ItemsFile>;

/**
 * `taste.json`: what the deploy gate's reward model reads of a trained version's personal taste
 * (`VersionTarget.taste`; the edge does not read it). `taste.f32` beside it is users × dims
 * float32, little-endian, row-major: row u is λ · U_u for the user `users[u]`, so that
 * λ · U_u · V_i, V_i the first `dims` columns of the item's row in `items.f32`, is the personal
 * part of the score the user's cached list ranks by.
 */
export const TasteFile = z.object({
  schema: z.literal('taste/v1'),
  dims: z.number().int().positive(),
  users: z.array(z.string()),
});
export type TasteFile = z.infer<typeof TasteFile>;

/** `state/batch-watermark.json`: the last log object consumed, advanced after the pointer swap. */
export const Watermark = z.object({
  schema: z.literal('watermark/v1'),
  impressions_after: z.string(),
  events_after: z.string(),
  updated_at: EpochMs,
  version: Version.nullable(),
});
export type Watermark = z.infer<typeof Watermark>;
