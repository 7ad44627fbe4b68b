import type { Candidate } from '../explore/types.js';
import type { ItemsFile } from '../schemas/artifact.js';
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
  /** Item ids never to return (the recent ones are never returned either). */
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
  return { version, ids: items.ids, row: new Map(items.ids.map((id, i) => [id, i])) };
}

/**
 * The wasm step's ranking: the mean of the recent items' vectors scored against every row, best
 * first, leaving out the recent and the excluded items.
 * @returns the ranking (empty when every row scores NaN or −∞), or null when no recent item is
 *   in the matrix or nothing is left to rank
 * @throws ScorerNotReadyError when the scorer no longer holds `index.version`
 */
export function rankByRecent(scorer: WasmScorer, index: ItemIndex, q: RecentQuery): Candidate[] | null {
  const rows = q.recent.map((id) => index.row.get(id)).filter((r): r is number => r !== undefined);
  if (rows.length === 0) return null;
  const query = scorer.meanOfRows(rows, { version: index.version });
  const exclude = new Set(rows);
  for (const id of q.exclude) {
    const r = index.row.get(id);
    if (r !== undefined) exclude.add(r);
  }
  const n = Math.min(q.n, index.ids.length - exclude.size);
  if (n <= 0) return null;
  const top = scorer.score(query, n, { exclude, version: index.version });
  return Array.from(top.indices, (r, i) => ({ item: index.ids[r]!, score: top.scores[i]! }));
}
