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
    const alpha = opts.alpha ?? 1;
    const xtx = new Float64Array(h * h);
    const xty = new Float64Array(h * m);
    let meanBias = 0;
    for (const r of warmRows) meanBias += params.bias[r]! / warmRows.length;
    for (const r of warmRows) {
      // Rows are sparse (a few dozen buckets of h): accumulate over non-zeros only.
      const nz: number[] = [];
      for (let a = 0; a < h; a++) if (x[r * h + a] !== 0) nz.push(a);
      for (const a of nz) {
        const xa = x[r * h + a]!;
        for (const b2 of nz) xtx[a * h + b2]! += xa * x[r * h + b2]!;
        for (let c = 0; c < d; c++) xty[a * m + c]! += xa * params.item[r * d + c]!;
        xty[a * m + d]! += xa * (params.bias[r]! - meanBias);
      }
    }
    for (let a = 0; a < h; a++) xtx[a * h + a]! += alpha;
    w = choleskySolve(xtx, xty, h, m);
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
