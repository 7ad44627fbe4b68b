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
 * The isolate's wasm scorer and the matrix load it holds or is doing, by version. One per app's
 * deps (so one per isolate in production: a matrix is up to 64 MB of the isolate's 128 MB); the
 * instance is made on first use, so an app that never ranks in wasm never instantiates it.
 */
export class IsolateMatrix {
  #scorer: WasmScorer | null = null;
  #current: { version: string; ready: Promise<ItemIndex | null> } | null = null;

  get scorer(): WasmScorer {
    return (this.#scorer ??= new WasmScorer(scorerModule));
  }

  /**
   * The scorer with this version's matrix, loading it once. A load starts only for the version
   * the artifact cache serves now: a request still in flight on an older version gets null (it
   * passes) instead of reloading its matrix over the newer one's, which would knock the newer
   * version's requests off and load the two back and forth.
   */
  ensureLoaded(v: EdgeVersion): Promise<ItemIndex | null> | null {
    if (this.#current?.version === v.loaded.version) return this.#current.ready;
    if (v.cache.servingVersion !== v.loaded.version) return null;
    const ready = loadItemMatrix(this.scorer, v.loaded.version, storeFiles(v.store, v.loaded.manifest));
    this.#current = { version: v.loaded.version, ready };
    ready.catch(() => {
      if (this.#current?.ready === ready) this.#current = null;
    });
    return ready;
  }
}

/**
 * The wasm port of the edge: the shared ranking (`rankByRecent`) on the isolate's scorer. Passes
 * (null) when the version has no matrix, when its matrix fails verification (the version is then
 * refused) and when the scorer is not ready for this version (`ScorerNotReadyError`: a newer
 * version's load began meanwhile). Those are the one signal of the chain, never a 5xx.
 */
export function wasmCandidates(v: EdgeVersion, q: RecentQuery): Promise<Candidate[] | null> {
  return withMatrix(v, (index) => rankByRecent(v.matrix.scorer, index, q));
}

/** The wasm port's session taste for cached candidates (`recentTaste`), passing as `wasmCandidates` does. */
export function wasmRecentTaste(v: EdgeVersion, q: { recent: readonly string[]; items: readonly string[] }): Promise<Float64Array | null> {
  return withMatrix(v, (index) => recentTaste(v.matrix.scorer, index, q.recent, q.items));
}

/** `fn` on the version's loaded matrix; null (pass) without one, on a failed load, or a scorer not ready. */
async function withMatrix<T>(v: EdgeVersion, fn: (index: ItemIndex) => T | null): Promise<T | null> {
  if (!matrixFormat(storeFiles(v.store, v.loaded.manifest))) return null;
  let index: ItemIndex | null;
  try {
    index = await v.matrix.ensureLoaded(v);
  } catch (e) {
    v.cache.fileFailed(v.loaded, v.now, 'item matrix', e);
    return null;
  }
  if (!index) return null;
  try {
    return fn(index);
  } catch (e) {
    if (e instanceof ScorerNotReadyError) return null;
    throw e;
  }
}
