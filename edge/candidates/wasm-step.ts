import scorerModule from '../../shared/scoring/scorer.wasm';
import { readVerifiedJson } from '../../shared/artifact/verify.js';
import type { Candidate } from '../../shared/explore/types.js';
import { ItemsFile, type Manifest } from '../../shared/schemas/artifact.js';
import { loadItemMatrix, matrixFormat, rankByRecent, recentTaste, type ItemIndex, type MatrixFiles, type RecentQuery } from '../../shared/scoring/item-matrix.js';
import { ScorerNotReadyError, WasmScorer } from '../../shared/scoring/wasm-scorer.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { streamVerified } from '../artifact/stream-verified.js';
import type { EdgeVersion } from './index.js';

/** A version's matrix files in the store, streamed into wasm memory and verified on the way. */
function storeFiles(store: ObjectStore, m: Manifest): MatrixFiles {
  return {
    has: (name) => Object.hasOwn(m.files, name),
    items: () => readVerifiedJson(store, m, 'items.json', ItemsFile),
    open: (name) => streamVerified(store, m, name),
  };
}

/**
 * The isolate's wasm scorers and the matrix loads they hold or are doing, by version: the serving
 * version's and, while a canary runs, the canary's (each on a scorer of its own, so the two never
 * load over each other). One per app's deps (so one per isolate in production: a matrix is up to
 * 64 MB of the isolate's 128 MB, and a canary doubles that); a scorer is made on first use, so an
 * app that never ranks in wasm never instantiates one.
 */
export class IsolateMatrix {
  #slots: Array<{ version: string; scorer: WasmScorer; ready: Promise<ItemIndex | null> }> = [];

  /**
   * The scorer holding this version's matrix, loading it once. A load starts only for a version
   * the artifact cache serves now (its serving version or its canary): a request still in flight
   * on an older version gets null (it passes) instead of loading its matrix over a newer one's.
   * A new version takes the scorer of one the cache no longer serves.
   */
  ensureLoaded(v: EdgeVersion): Promise<{ scorer: WasmScorer; index: ItemIndex } | null> | null {
    const version = v.loaded.version;
    const live = [v.cache.servingVersion, v.cache.canaryVersion];
    const held = this.#slots.find((s) => s.version === version);
    if (held) return held.ready.then((index) => index && { scorer: held.scorer, index });
    if (!live.includes(version)) return null;
    // Versions no longer served give up their slots (their matrices are garbage); one scorer is reused.
    const stale = this.#slots.filter((s) => !live.includes(s.version));
    this.#slots = this.#slots.filter((s) => live.includes(s.version));
    const scorer = stale[0]?.scorer ?? new WasmScorer(scorerModule);
    const ready = loadItemMatrix(scorer, version, storeFiles(v.store, v.loaded.manifest));
    const slot = { version, scorer, ready };
    this.#slots.push(slot);
    ready.catch(() => {
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
    });
    return ready.then((index) => index && { scorer, index });
  }
}

/**
 * The wasm port of the edge: the shared ranking (`rankByRecent`) on the isolate's scorer. Passes
 * (null) when the version has no matrix, when its matrix fails verification (the version is then
 * refused) and when the scorer is not ready for this version (`ScorerNotReadyError`: a newer
 * version's load began meanwhile). Those are the one signal of the chain, never a 5xx.
 */
export function wasmCandidates(v: EdgeVersion, q: RecentQuery): Promise<Candidate[] | null> {
  return withMatrix(v, (scorer, index) => rankByRecent(scorer, index, q));
}

/** The wasm port's session taste for cached candidates (`recentTaste`), passing as `wasmCandidates` does. */
export function wasmRecentTaste(v: EdgeVersion, q: { recent: readonly string[]; items: readonly string[] }): Promise<Float64Array | null> {
  return withMatrix(v, (scorer, index) => recentTaste(scorer, index, q.recent, q.items));
}

/** `fn` on the version's loaded matrix; null (pass) without one, on a failed load, or a scorer not ready. */
async function withMatrix<T>(v: EdgeVersion, fn: (scorer: WasmScorer, index: ItemIndex) => T | null): Promise<T | null> {
  if (!matrixFormat(storeFiles(v.store, v.loaded.manifest))) return null;
  let held: { scorer: WasmScorer; index: ItemIndex } | null;
  try {
    held = await v.matrix.ensureLoaded(v);
  } catch (e) {
    v.cache.fileFailed(v.loaded, v.now, 'item matrix', e);
    return null;
  }
  if (!held) return null;
  try {
    return fn(held.scorer, held.index);
  } catch (e) {
    if (e instanceof ScorerNotReadyError) return null;
    throw e;
  }
}
