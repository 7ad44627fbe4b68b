import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { shardFile, shardOf } from '../../shared/artifact/paths.js';
import { readVerified, readVerifiedJson } from '../../shared/artifact/verify.js';
import type { BetaPosterior } from '../../shared/explore/types.js';
import type { PairTaste } from '../../shared/ope/item-position-model.js';
import { ownValue } from '../../shared/own-key.js';
import { ItemsFile, TasteFile, UserSlateShard, type Manifest, type Policy } from '../../shared/schemas/artifact.js';
import { PosteriorsFile } from '../../shared/schemas/posteriors.js';
import { loadItemMatrix, rankByRecent, recentTaste, type ItemIndex, type MatrixFiles } from '../../shared/scoring/item-matrix.js';
import { WasmScorer } from '../../shared/scoring/wasm-scorer.js';
import { posteriorMap } from '../../shared/serving/posterior-map.js';
import type { VersionPorts } from '../../shared/serving/version-view.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/** How the batch tier reads one version's files: a published version's, or a candidate's in memory. */
export interface VersionFiles {
  has(name: string): boolean;
  json<T>(name: string, schema: z.ZodType<T>): Promise<T>;
  bytes(name: string): Promise<Uint8Array>;
}

/** A published version, every file read through its manifest's checksums. */
export function storeFiles(store: ObjectStore, manifest: Manifest): VersionFiles {
  return {
    has: (name) => Object.hasOwn(manifest.files, name),
    json: (name, schema) => readVerifiedJson(store, manifest, name, schema),
    bytes: (name) => readVerified(store, manifest, name),
  };
}

/** A candidate's files (relative name → bytes), as `versionFiles` made them. */
export function memoryFiles(files: Readonly<Record<string, Uint8Array>>): VersionFiles {
  const bytes = (name: string) => {
    const b = files[name];
    if (!b) throw new Error(`${name} is not among the version's files`);
    return b;
  };
  return {
    has: (name) => Object.hasOwn(files, name),
    json: async (name, schema) => schema.parse(JSON.parse(new TextDecoder().decode(bytes(name)))),
    bytes: async (name) => bytes(name),
  };
}

let compiled: WebAssembly.Module | null = null;

/**
 * scorer.wasm, compiled once per process: the kernel the edge bundles. Constructed through
 * `Reflect` because the benchmarks type-check this file with the Workers types too, where
 * `WebAssembly.Module` is abstract (Workers refuse to compile bytes; Node does not).
 */
function scorerModule(): WebAssembly.Module {
  return (compiled ??= Reflect.construct(WebAssembly.Module, [readFileSync(new URL('../../shared/scoring/scorer.wasm', import.meta.url))]) as WebAssembly.Module);
}

/**
 * The serving view's ports for the batch tier. Each file is read once and kept (shards by index,
 * posteriors); the wasm step runs the edge's kernel, from the same bytes, on a scorer instance of
 * its own (the gate evaluates two versions side by side, which would thrash one shared instance),
 * loaded on the first request that reaches it. A query costs one pass over the matrix
 * (rows × dims), as at the edge; `VersionTarget` memoises whole tables above this.
 * @param policy the version's policy.json @param shards its user-slates shard count
 */
export function batchPorts(files: VersionFiles, policy: Policy, shards: number): VersionPorts {
  const shardCache = new Map<number, Promise<UserSlateShard | null>>();
  const shard = (i: number) => {
    let s = shardCache.get(i);
    if (!s) shardCache.set(i, (s = files.has(shardFile(i)) ? files.json(shardFile(i), UserSlateShard) : Promise.resolve(null)));
    return s;
  };
  let posteriors: Promise<ReadonlyMap<string, BetaPosterior>> | null = null;
  let matrix: Promise<{ scorer: WasmScorer; index: ItemIndex | null }> | null = null;
  const matrixFiles: MatrixFiles = {
    has: files.has,
    items: () => files.json('items.json', ItemsFile),
    open: async (name) => ({ body: await files.bytes(name), verified: Promise.resolve() }),
  };
  const loaded = () =>
    (matrix ??= (async () => {
      const scorer = new WasmScorer(scorerModule());
      return { scorer, index: await loadItemMatrix(scorer, policy.version, matrixFiles) };
    })());
  return {
    policy,
    async userCandidates(userKey) {
      if (shards === 0) return null;
      const s = await shard(shardOf(userKey, shards));
      return (s && ownValue(s.users, userKey)) ?? null;
    },
    posteriors: () => (posteriors ??= files.has('posteriors.json') ? files.json('posteriors.json', PosteriorsFile).then(posteriorMap) : Promise.resolve(new Map())),
    async wasm(q) {
      const { scorer, index } = await loaded();
      return index && rankByRecent(scorer, index, q);
    },
    async recentTaste(q) {
      const { scorer, index } = await loaded();
      return index && recentTaste(scorer, index, q.recent, q.items);
    },
  };
}

/**
 * A trained version's personal taste t(u, i) = λ · U_u · V_i for the deploy gate's reward model
 * (`fitItemPositionModel`), from `taste.json` + `taste.f32` and the item vectors in `items.f32`;
 * undefined for a user or an item the version does not know. Null when the version has no taste
 * file (bootstrap, λ = 0, versions before it).
 * @throws Error when the files disagree in size
 */
export async function versionTaste(files: VersionFiles): Promise<PairTaste | null> {
  if (!files.has('taste.json') || !files.has('taste.f32') || !files.has('items.json') || !files.has('items.f32')) return null;
  const taste = await files.json('taste.json', TasteFile);
  const items = await files.json('items.json', ItemsFile);
  const user = float32(await files.bytes('taste.f32'));
  const item = float32(await files.bytes('items.f32'));
  const d = taste.dims;
  const stride = items.dims;
  if (user.length !== taste.users.length * d || item.length !== items.ids.length * stride || stride < d) {
    throw new Error(`taste.f32 (${user.length} floats) or items.f32 (${item.length}) does not match ${taste.users.length} users × ${d} and ${items.ids.length} items × ${stride}`);
  }
  const userRow = new Map(taste.users.map((u, r) => [u, r]));
  const itemRow = new Map(items.ids.map((id, r) => [id, r]));
  return (u, i) => {
    const a = userRow.get(u);
    const b = itemRow.get(i);
    if (a === undefined || b === undefined) return undefined;
    let dot = 0;
    for (let j = 0; j < d; j++) dot += user[a * d + j]! * item[b * stride + j]!;
    return dot;
  };
}

/** Little-endian float32s (the artifact's byte order) of a file, whatever its alignment. */
function float32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength >> 2 }, (_, k) => view.getFloat32(4 * k, true));
}
