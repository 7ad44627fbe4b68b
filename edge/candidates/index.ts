import type { VersionPorts } from '../../shared/serving/version-view.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { ArtifactCache, Loaded } from '../artifact/artifact-cache.js';
import { wasmCandidates, wasmRecentTaste, type IsolateMatrix } from './wasm-step.js';

/** What the edge's ports read from: the loaded version, the store, the isolate's cache. */
export interface EdgeVersion {
  loaded: Loaded;
  store: ObjectStore;
  cache: ArtifactCache;
  matrix: IsolateMatrix;
  now: number;
}

/**
 * The serving view's ports over the edge's isolate state, for the version one request loaded:
 * cached candidates and posteriors through the artifact cache (verified, and a failing file gets
 * its version refused), the wasm step through the isolate's scorer. The chain itself, and the
 * strategy input, are the shared view's (`shared/serving/`), the same the OPE gate evaluates.
 */
export function edgePorts(v: EdgeVersion): VersionPorts {
  return {
    policy: v.loaded.policy,
    userCandidates: (userKey) => v.cache.userCandidates(v.store, v.loaded, userKey, v.now),
    posteriors: () => v.cache.posteriors(v.store, v.loaded, v.now),
    wasm: (q) => wasmCandidates(v, q),
    recentTaste: (q) => wasmRecentTaste(v, q),
  };
}
