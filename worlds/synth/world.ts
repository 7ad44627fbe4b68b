import { hash32, type Rng } from '../../shared/rng.js';
import type { CatalogItem } from '../../shared/schemas/catalog.js';
import { normalArray, trainingRng } from '../../gpu-batch/train/init.js';

/**
 * A synthetic world with planted preferences: the ground truth a trained model should recover.
 * P(click | user u sees item i at position p) = θ_p · σ(a · u·v_i / √d + b_i + c).
 * Items carry a topic tag (the strongest coordinate of their vector), so catalog content carries
 * real signal for cold items, as it would in a shop.
 */
export interface World {
  dims: number;
  userKeys: string[];
  items: CatalogItem[];
  userVec: Float32Array;
  itemVec: Float32Array;
  itemBias: Float32Array;
  /** θ_p: examination probability by position. */
  positionBias: number[];
  affinity: number;
  offset: number;
}

export interface WorldOptions {
  users: number;
  items: number;
  dims?: number;
  seed: number;
  /** Strength a of the planted preference. */
  affinity?: number;
  /** Intercept c: sets the base click rate. */
  offset?: number;
  /** Spread of item quality b_i. */
  biasSd?: number;
  /** Catalog `created_at` of every item. */
  createdAt?: string;
}

/** A 32-hex user key, shaped like the edge's salted hashes. */
export function synthUserKey(seed: number, u: number): string {
  return [0x811c9dc5, 0x9e3779b9, 0x7f4a7c15, 0x2545f491].map((s) => hash32(`user:${seed}:${u}`, s ^ seed).toString(16).padStart(8, '0')).join('');
}

/** Builds a seeded world. */
export function makeWorld(o: WorldOptions): World {
  const dims = o.dims ?? 8;
  const rng = trainingRng(o.seed, 101);
  const userVec = normalArray(rng, o.users * dims, 1);
  const itemVec = normalArray(rng, o.items * dims, 1);
  const itemBias = normalArray(rng, o.items, o.biasSd ?? 0.5);
  const items: CatalogItem[] = [];
  for (let i = 0; i < o.items; i++) {
    let best = 0;
    for (let c = 1; c < dims; c++) if (itemVec[i * dims + c]! > itemVec[i * dims + best]!) best = c;
    items.push({
      id: `item-${String(i).padStart(5, '0')}`,
      title: `Item ${i} about topic${best}`,
      text: `A thing for people who like topic${best}.`,
      tags: [`topic${best}`],
      created_at: o.createdAt ?? '2025-12-01T00:00:00Z',
    });
  }
  return {
    dims,
    userKeys: Array.from({ length: o.users }, (_, u) => synthUserKey(o.seed, u)),
    items,
    userVec,
    itemVec,
    itemBias,
    positionBias: Array.from({ length: 100 }, (_, p) => 1 / Math.sqrt(1 + p)),
    affinity: o.affinity ?? 2.5,
    offset: o.offset ?? -3,
  };
}

/** P(click) for user row u, item row i at a 0-based position. */
export function clickProbability(w: World, u: number, i: number, position: number): number {
  let dot = 0;
  for (let c = 0; c < w.dims; c++) dot += w.userVec[u * w.dims + c]! * w.itemVec[i * w.dims + c]!;
  const z = (w.affinity * dot) / Math.sqrt(w.dims) + w.itemBias[i]! + w.offset;
  return (w.positionBias[position] ?? 0.1) / (1 + Math.exp(-z));
}

/** @returns a v4-shaped UUID from the rng (ids must be replayable in tests) */
export function synthUuid(rng: Rng): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rng.next() * 16).toString(16));
  h[12] = '4';
  h[16] = '89ab'[Math.floor(rng.next() * 4)]!;
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
