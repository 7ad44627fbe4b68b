import scorerModule from '../scoring/scorer.wasm';
import { readVerifiedJson } from '../../shared/artifact/verify.js';
import { ItemsFile } from '../../shared/schemas/artifact.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { Loaded } from '../artifact/artifact-cache.js';
import { streamVerified } from '../artifact/stream-verified.js';
import { scorerFor, TOP_N_MAX, type MatrixFormat } from '../scoring/wasm-scorer.js';
import type { CandidateStep } from './index.js';

/** Item ids of the loaded matrix, and their rows. */
interface ItemIndex {
  version: string;
  ids: string[];
  row: Map<string, number>;
}

let current: { version: string; ready: Promise<ItemIndex> } | null = null;

/**
 * Loads a version's item matrix into the isolate's wasm scorer once (int8 when the artifact has
 * it: a quarter of the memory of float32), streaming and verifying it on the way.
 */
function ensureLoaded(store: ObjectStore, loaded: Loaded): Promise<ItemIndex> {
  if (current?.version === loaded.version) return current.ready;
  const ready = (async () => {
    const m = loaded.manifest;
    const items = await readVerifiedJson(store, m, 'items.json', ItemsFile);
    const format: MatrixFormat = 'items.i8' in m.files && 'items.scale.f32' in m.files ? 'i8' : 'f32';
    const scorer = scorerFor(scorerModule);
    const matrix = await streamVerified(store, m, format === 'i8' ? 'items.i8' : 'items.f32');
    const scales = format === 'i8' ? await streamVerified(store, m, 'items.scale.f32') : null;
    await Promise.all([
      scorer.load({ version: m.version, format, rows: items.ids.length, dims: items.dims }, { matrix: matrix.body, ...(scales ? { scales: scales.body } : {}) }),
      matrix.verified,
      scales?.verified,
    ]);
    return { version: m.version, ids: items.ids, row: new Map(items.ids.map((id, i) => [id, i])) };
  })();
  current = { version: loaded.version, ready };
  ready.catch(() => {
    if (current?.ready === ready) current = null;
  });
  return ready;
}

/** Whether a version carries an item matrix the scorer can use. */
function hasMatrix(loaded: Loaded): boolean {
  const f = loaded.manifest.files;
  return loaded.manifest.dims > 0 && 'items.json' in f && ('items.f32' in f || ('items.i8' in f && 'items.scale.f32' in f));
}

/**
 * `wasm`: for a user without cached candidates but with recent items, the mean of those items'
 * vectors scored against the whole item matrix in the SIMD kernel. Recent and excluded items are
 * left out of the ranking. Passes (null) when there are no usable recent items or no matrix.
 */
export const wasmStep: CandidateStep = {
  source: 'wasm',
  async candidates(req) {
    const recent = req.context.recent_item_ids ?? [];
    if (recent.length === 0 || !hasMatrix(req.loaded)) return null;
    let index: ItemIndex;
    try {
      index = await ensureLoaded(req.store, req.loaded);
    } catch (e) {
      req.cache.fileFailed(req.loaded, req.now, 'item matrix', e);
      return null;
    }
    const rows = recent.map((id) => index.row.get(id)).filter((r): r is number => r !== undefined);
    if (rows.length === 0) return null;
    const scorer = scorerFor(scorerModule);
    const query = scorer.meanOfRows(rows, { version: index.version });
    const exclude = new Set(rows);
    for (const id of req.context.exclude_item_ids ?? []) {
      const r = index.row.get(id);
      if (r !== undefined) exclude.add(r);
    }
    const n = Math.min(TOP_N_MAX, req.loaded.policy.candidates_per_user, index.ids.length - exclude.size);
    if (n <= 0) return null;
    const top = scorer.score(query, n, { exclude, version: index.version });
    return { ranked: Array.from(top.indices, (r, i) => ({ item: index.ids[r]!, score: top.scores[i]! })) };
  },
};
