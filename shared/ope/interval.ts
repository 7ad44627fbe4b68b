import type { Rng } from '../rng.js';
import type { Estimate, IntervalOptions, Terms } from './types.js';

/**
 * Confidence intervals for estimators written as ratios V̂ = Σ a_i / Σ b_i.
 *
 * Normal: V̂ ± z_{1−δ/2} · se, se² = Σ φ_i² / (n (n − 1)), with influence terms
 * φ_i = (a_i − V̂ b_i) / b̄, b̄ = Σ b_i / n (the delta method; for b_i = 1 this is the usual
 * standard error of the mean of a_i). Valid asymptotically; heavy-tailed importance weights make
 * it optimistic at small n (then prefer the bootstrap, or clip).
 *
 * Bootstrap: percentile interval of V̂ over B resamples with replacement (Efron & Tibshirani 1993,
 * "An Introduction to the Bootstrap", ch. 13); resamples whose Σ b_i is 0 are dropped.
 */

/**
 * Standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, relative error < 1.2e-9).
 * @param p in (0, 1)
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Kish effective sample size (Σ w)² / Σ w²; 0 when every weight is 0. */
export function kishEss(weights: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i]!;
    s2 += weights[i]! * weights[i]!;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/**
 * Estimate and interval of one estimator from its terms.
 * @throws RangeError when Σ b_i = 0 (a self-normalised estimator whose target has no support in the log)
 */
export function estimateFromTerms(terms: Terms, options: IntervalOptions = {}): Estimate {
  const { level, method } = checkOptions(options);
  const n = terms.a.length;
  const v = ratio(terms, null);
  let ci: [number, number];
  if (method === 'normal') {
    const phi = influence(terms, v);
    const z = normalQuantile(1 - (1 - level) / 2);
    const se = Math.sqrt(sumSquares(phi) / (n * (n - 1)));
    ci = [v - z * se, v + z * se];
  } else {
    ci = bootstrap(n, options, level, (idx) => ratio(terms, idx));
  }
  return { estimator: terms.estimator, estimate: v, ci, ciMethod: method, level, n, ess: terms.ess };
}

/**
 * Paired difference V̂_c − V̂_s of two estimators on the same logged samples, with an interval on
 * the paired influence terms φ^c_i − φ^s_i (normal) or on joint resamples (bootstrap). Pairing
 * cancels the noise both share (the same rewards), so the interval is much narrower than two
 * separate intervals would suggest.
 * @throws RangeError when the two have different numbers of samples
 */
export function differenceFromTerms(candidate: Terms, serving: Terms, options: IntervalOptions = {}): Estimate {
  const { level, method } = checkOptions(options);
  const n = candidate.a.length;
  if (serving.a.length !== n) throw new RangeError(`candidate and serving must be evaluated on the same samples, got ${n} and ${serving.a.length}`);
  const vc = ratio(candidate, null);
  const vs = ratio(serving, null);
  let ci: [number, number];
  if (method === 'normal') {
    const pc = influence(candidate, vc);
    const ps = influence(serving, vs);
    const z = normalQuantile(1 - (1 - level) / 2);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (pc[i]! - ps[i]!) ** 2;
    const se = Math.sqrt(ss / (n * (n - 1)));
    ci = [vc - vs - z * se, vc - vs + z * se];
  } else {
    ci = bootstrap(n, options, level, (idx) => ratio(candidate, idx) - ratio(serving, idx));
  }
  const name = candidate.estimator === serving.estimator ? candidate.estimator : `${candidate.estimator}−${serving.estimator}`;
  return { estimator: `${name} difference`, estimate: vc - vs, ci, ciMethod: method, level, n, ess: Math.min(candidate.ess, serving.ess) };
}

function checkOptions(options: IntervalOptions): { level: number; method: 'normal' | 'bootstrap' } {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const method = options.method ?? 'normal';
  if (method !== 'normal' && method !== 'bootstrap') throw new RangeError(`method must be normal or bootstrap, got ${String(method)}`);
  return { level, method };
}

function ratio(t: Terms, idx: Uint32Array | null): number {
  let sa = 0;
  let sb = 0;
  const { a, b } = t;
  if (idx === null) {
    for (let i = 0; i < a.length; i++) sa += a[i]!;
    if (b === null) sb = a.length;
    else for (let i = 0; i < b.length; i++) sb += b[i]!;
  } else {
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      sa += a[i]!;
      sb += b === null ? 1 : b[i]!;
    }
  }
  if (sb === 0) {
    if (idx !== null) return NaN;
    throw new RangeError(`${t.estimator}: every importance weight is 0 (the target policy has no support in the log)`);
  }
  return sa / sb;
}

function influence(t: Terms, v: number): Float64Array {
  const n = t.a.length;
  const phi = new Float64Array(n);
  if (t.b === null) {
    for (let i = 0; i < n; i++) phi[i] = t.a[i]! - v;
    return phi;
  }
  let sb = 0;
  for (let i = 0; i < n; i++) sb += t.b[i]!;
  const bBar = sb / n;
  for (let i = 0; i < n; i++) phi[i] = (t.a[i]! - v * t.b[i]!) / bBar;
  return phi;
}

function sumSquares(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]! * xs[i]!;
  return s;
}

function bootstrap(n: number, options: IntervalOptions, level: number, stat: (idx: Uint32Array) => number): [number, number] {
  const rng: Rng | undefined = options.rng;
  if (rng === undefined) throw new RangeError('bootstrap intervals need an rng');
  const B = options.resamples ?? 1000;
  if (!(Number.isInteger(B) && B >= 10)) throw new RangeError(`resamples must be an integer ≥ 10, got ${B}`);
  const idx = new Uint32Array(n);
  const stats: number[] = [];
  for (let r = 0; r < B; r++) {
    for (let k = 0; k < n; k++) idx[k] = Math.floor(rng.next() * n);
    const s = stat(idx);
    if (!Number.isNaN(s)) stats.push(s);
  }
  if (stats.length === 0) throw new RangeError('every bootstrap resample had zero total weight');
  stats.sort((x, y) => x - y);
  const delta = 1 - level;
  return [quantile(stats, delta / 2), quantile(stats, 1 - delta / 2)];
}

/** Linear-interpolation quantile of sorted data (Hyndman & Fan type 7). */
function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
