import type { Candidate } from '../explore/types.js';
import type { ItemsFile, RecentQuerySpec } from '../schemas/artifact.js';
import type { MatrixBytes, MatrixFormat, WasmScorer } from './wasm-scorer.js';

/**
 * A version's item matrix as the wasm step uses it, written once for both tiers: which file the
 * scorer loads, how, and how recent items become a ranking. The edge streams the files from R2
 * into its isolate's scorer; the batch tier loads the same bytes into its own scorer to evaluate
 * exactly what the edge ranks (the same kernel, the same arithmetic, the same ties).
 */

/** Item ids of the matrix loaded into a scorer, and their rows. */
export interface ItemIndex {
  version: string;
  ids: readonly string[];
  row: ReadonlyMap<string, number>;
  /** `items.json`'s `recent`: the matrix ends with a base-appeal column. */
  recent?: RecentQuerySpec;
}

/** Where a version's matrix files come from: a published version, or a candidate's files. */
export interface MatrixFiles {
  /** Whether the version has the file. */
  has(name: string): boolean;
  /** `items.json`, verified. */
  items(): Promise<ItemsFile>;
  /**
   * A file's bytes, whole or streamed. They may be used before `verified` settles (so a 64 MB
   * matrix streams into wasm memory without a second copy) but count only once it resolves; it
   * rejects when the bytes fail their checksum.
   */
  open(name: string): Promise<{ body: MatrixBytes; verified: Promise<unknown> }>;
}

/** The request of the wasm step: rank by the mean of the recent items' vectors. */
export interface RecentQuery {
  /** The user's recent item ids; those not in the matrix are ignored. */
  recent: readonly string[];
  /** Item ids never to return (nor the recent ones, for a matrix without a base column). */
  exclude: readonly string[];
  /** How many to return at most. */
  n: number;
}

/**
 * Which matrix the scorer loads: int8 when the version has it (a quarter of the memory of
 * float32), else float32; null when the version has no matrix.
 */
export function matrixFormat(files: Pick<MatrixFiles, 'has'>): MatrixFormat | null {
  if (!files.has('items.json')) return null;
  if (files.has('items.i8') && files.has('items.scale.f32')) return 'i8';
  return files.has('items.f32') ? 'f32' : null;
}

/**
 * Loads a version's matrix into a scorer, replacing what it held. If a later load supersedes this
 * one before it finishes, it still resolves (the scorer then answers `ScorerNotReadyError` for
 * this version, which the wasm step takes as "pass").
 * @returns the matrix's item index, or null when the version has no (non-empty) matrix
 * @throws what `files` throws (an `ArtifactError` for a failed checksum), RangeError when the
 *   bytes do not match items.json's shape
 */
export async function loadItemMatrix(scorer: WasmScorer, version: string, files: MatrixFiles): Promise<ItemIndex | null> {
  const format = matrixFormat(files);
  if (!format) return null;
  const items = await files.items();
  if (items.dims === 0 || items.ids.length === 0) return null;
  const matrix = await files.open(format === 'i8' ? 'items.i8' : 'items.f32');
  const scales = format === 'i8' ? await files.open('items.scale.f32') : null;
  await Promise.all([
    scorer.load({ version, format, rows: items.ids.length, dims: items.dims }, { matrix: matrix.body, ...(scales ? { scales: scales.body } : {}) }),
    matrix.verified,
    scales?.verified,
  ]);
  return { version, ids: items.ids, row: new Map(items.ids.map((id, i) => [id, i])), ...(items.recent ? { recent: items.recent } : {}) };
}

/** The matrix rows of the recent items; ids not in the matrix are ignored. */
function recentRows(index: ItemIndex, recent: readonly string[]): number[] {
  return recent.map((id) => index.row.get(id)).filter((r): r is number => r !== undefined);
}

/**
 * The query of a user known by recent items, from the mean of their rows. With a base-appeal
 * column (`spec`): the vector part times `weight`, the base column set to `base_scale`, so a row
 * scores base_i + weight · ⟨mean, v_i⟩ — base appeal with the session's taste layered on, as the
 * batch tier layers a known user's taste on it (`servingParams`). Without: the mean itself, which
 * ranks by similarity alone (versions published before the column existed).
 * Why the base column: ranked by similarity alone, a cold user who clicked one item got the
 * items nearest it whatever their appeal — worse than the popularity list the user got before
 * clicking.
 */
export function recentQuery(mean: Float32Array, spec: RecentQuerySpec | undefined): Float32Array {
  if (!spec) return mean;
  const q = new Float32Array(mean.length);
  for (let j = 0; j < mean.length - 1; j++) q[j] = mean[j]! * spec.weight;
  q[mean.length - 1] = spec.base_scale;
  return q;
}

/**
 * The wasm step's ranking: the mean of the recent items' rows made a query (`recentQuery`) and
 * scored against every row, best first, leaving out the excluded items (and the recent ones when
 * the matrix has no base column).
 * @returns the ranking (empty when every row scores NaN or −∞), or null when no recent item is
 *   in the matrix or nothing is left to rank
 * @throws ScorerNotReadyError when the scorer no longer holds `index.version`
 */
export function rankByRecent(scorer: WasmScorer, index: ItemIndex, q: RecentQuery): Candidate[] | null {
  const rows = recentRows(index, q.recent);
  if (rows.length === 0) return null;
  const query = recentQuery(scorer.meanOfRows(rows, { version: index.version }), index.recent);
  // By similarity alone a recent item is its own nearest row, so it is left out; scored with base
  // appeal it competes like any item (the user just chose it), and the site excludes what it
  // must not show again with `exclude_item_ids`.
  const exclude = new Set(index.recent ? [] : rows);
  for (const id of q.exclude) {
    const r = index.row.get(id);
    if (r !== undefined) exclude.add(r);
  }
  const n = Math.min(q.n, index.ids.length - exclude.size);
  if (n <= 0) return null;
  const top = scorer.score(query, n, { exclude, version: index.version });
  return Array.from(top.indices, (r, i) => ({ item: index.ids[r]!, score: top.scores[i]! }));
}

/**
 * The session's taste for a known user's cached candidates (ranked by base appeal + λ · their
 * own taste): cache_weight · ⟨mean of the recent items' vectors, v_i⟩ per item — the term the wasm
 * step adds to base appeal (`recentQuery`), with the weight fitted for users the model knows
 * (their own taste already explains part of what the session says). The vectors are the matrix's
 * rows as the scorer holds them (int8 dequantised), in the same arithmetic on the edge and in the
 * batch tier. An item not in the matrix gets 0.
 * @returns null when the matrix has no base column, the weight is 0, or no recent item is in it
 * @throws ScorerNotReadyError when the scorer no longer holds `index.version`
 */
export function recentTaste(scorer: WasmScorer, index: ItemIndex, recent: readonly string[], items: readonly string[]): Float64Array | null {
  if (!index.recent || !(index.recent.cache_weight > 0)) return null;
  const rows = recentRows(index, recent);
  if (rows.length === 0) return null;
  const version = { version: index.version };
  const mean = scorer.meanOfRows(rows, version);
  const d = mean.length - 1;
  return Float64Array.from(items, (id) => {
    const r = index.row.get(id);
    if (r === undefined) return 0;
    const v = scorer.meanOfRows([r], version);
    let dot = 0;
    for (let j = 0; j < d; j++) dot += mean[j]! * v[j]!;
    return index.recent!.cache_weight * dot;
  });
}
