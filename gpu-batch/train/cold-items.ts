import type { MfParams } from './mf-model.js';
import { normalArray, trainingRng } from './init.js';
import { choleskySolve } from './linalg.js';

/**
 * Gives items without clicks a vector (and bias) predicted from their catalog content.
 *
 * Ridge regression from content features x (h buckets) to the learned [v | b] of warm items:
 * W = (XᵀX + αI)⁻¹ Xᵀ[V | b], then [v | b]_cold = x_cold W. A cold item thus lands near warm
 * items that read like it, which is what lets a brand-new item be ranked at all. When no item
 * is warm yet (bootstrap), a fixed random projection of the content is used instead, so similar
 * texts still get similar vectors for the edge's similarity scorer.
 *
 * @param params trained parameters, modified in place for the cold rows
 * @param x content features, nItems × h row-major
 * @param warm which rows learned from clicks
 * @returns how many rows were replaced
 */
export function fillColdItems(params: MfParams, x: Float32Array, h: number, warm: ArrayLike<boolean>, opts: { alpha?: number; seed: number }): number {
  const d = params.dims;
  const n = params.bias.length;
  const cold: number[] = [];
  const warmRows: number[] = [];
  for (let r = 0; r < n; r++) (warm[r] ? warmRows : cold).push(r);
  if (cold.length === 0) return 0;
  const m = d + 1;
  let w: Float64Array;
  if (warmRows.length >= 2) {
    let meanBias = 0;
    for (const r of warmRows) meanBias += params.bias[r]! / warmRows.length;
    // Targets [v | b − mean b] of each warm row.
    const y = new Float64Array(n * m);
    for (const r of warmRows) {
      for (let c = 0; c < d; c++) y[r * m + c] = params.item[r * d + c]!;
      y[r * m + d] = params.bias[r]! - meanBias;
    }
    w = contentRegression(x, h, y, m, warmRows, opts.alpha ?? 1);
    for (const r of cold) project(r, w, meanBias);
  } else {
    const rng = trainingRng(opts.seed, 7);
    const proj = normalArray(rng, h * d, 1 / Math.sqrt(d));
    w = new Float64Array(h * m);
    for (let a = 0; a < h; a++) for (let c = 0; c < d; c++) w[a * m + c] = proj[a * d + c]! * 0.3;
    for (const r of cold) project(r, w, 0);
  }
  return cold.length;

  function project(r: number, wm: Float64Array, biasOffset: number): void {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let a = 0; a < h; a++) s += x[r * h + a]! * wm[a * m + c]!;
      if (c < d) params.item[r * d + c] = s;
      else params.bias[r] = s + biasOffset;
    }
  }
}

/**
 * Ridge regression from content features to per-row targets over the given rows:
 * W = (XᵀX + αI)⁻¹ XᵀY (h × m, row-major). Rows of x are sparse (a few dozen buckets of h), so
 * only their non-zeros are accumulated.
 * @param x content features, rows × h row-major
 * @param y targets, rows × m row-major (only the given rows are read)
 */
export function contentRegression(x: Float32Array, h: number, y: ArrayLike<number>, m: number, rows: readonly number[], alpha: number): Float64Array {
  const xtx = new Float64Array(h * h);
  const xty = new Float64Array(h * m);
  const nz: number[] = [];
  for (const r of rows) {
    nz.length = 0;
    for (let a = 0; a < h; a++) if (x[r * h + a] !== 0) nz.push(a);
    for (const a of nz) {
      const xa = x[r * h + a]!;
      for (const b of nz) xtx[a * h + b]! += xa * x[r * h + b]!;
      for (let c = 0; c < m; c++) xty[a * m + c]! += xa * y[r * m + c]!;
    }
  }
  for (let a = 0; a < h; a++) xtx[a * h + a]! += alpha;
  return choleskySolve(xtx, xty, h, m);
}
