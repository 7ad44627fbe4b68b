import { choleskySolve } from '../train/linalg.js';
import type { MfParams } from '../train/mf-model.js';

/** One held-out showing: the item's base-appeal logit, the personal term, position, click. */
export interface BlendRows {
  /** logit of the item's de-biased base appeal (posterior mean), from data before the holdout. */
  base: Float64Array;
  /** The personal term U_u · V_i of a model trained before the holdout (0 for an unknown user). */
  personal: Float64Array;
  position: Int32Array;
  y: Float32Array;
}

/** The fitted blend: P(click) = σ(c_p + a · base + b · personal). */
export interface Blend {
  a: number;
  b: number;
  /** Per-position intercepts c_p (positions past the last share it). */
  positionLogits: number[];
  /** Rows fitted and their clicks. */
  n: number;
  clicks: number;
  /** Mean log-loss with the personal term and without it (b = 0, refitted): the term's worth. */
  logLoss: number;
  logLossBaseOnly: number;
}

/**
 * How much of a user's personal model score to layer on the item's base appeal, learned from
 * showings the models did not train on (the time-split holdout).
 *
 * Logistic regression P(y = 1) = σ(c_p + a·base_i + b·(U_u·V_i)) by Newton's method with a small
 * ridge λ on (a, b) (not on the intercepts). Position intercepts c_p absorb the examination
 * bias of the slot, so a and b measure item and user effects, not where the items were shown.
 * The ranking a user gets depends only on b / a (see `servingParams`): when personal taste
 * predicts clicks on fresh data, b / a grows; when it is noise (sparse users, drift), it shrinks
 * toward 0 and the ranking falls back to base appeal — the best non-personalised list the data
 * supports. That is what keeps returning users from doing worse than a popularity list.
 * @param positions how many position intercepts (≥ 1)
 * @returns null when the holdout is too small to fit (< 200 rows or < 10 clicks)
 */
export function fitBlend(rows: BlendRows, positions: number, ridge = 1): Blend | null {
  const n = rows.y.length;
  let clicks = 0;
  for (let r = 0; r < n; r++) clicks += rows.y[r]!;
  if (n < 200 || clicks < 10) return null;
  const full = newton(rows, positions, ridge, true);
  const baseOnly = newton(rows, positions, ridge, false);
  return { ...full, n, clicks, logLossBaseOnly: baseOnly.logLoss };
}

function newton(rows: BlendRows, P: number, ridge: number, personal: boolean): { a: number; b: number; positionLogits: number[]; logLoss: number } {
  const n = rows.y.length;
  const m = P + 2;
  const A = P;
  const B = P + 1;
  let theta = new Float64Array(m);
  let mean = 0;
  for (let r = 0; r < n; r++) mean += rows.y[r]! / n;
  const c0 = Math.log(Math.max(mean, 1e-6) / Math.max(1 - mean, 1e-6));
  for (let p = 0; p < P; p++) theta[p] = c0;
  // The slope ridge; without the personal term its slope is pinned at 0 by a unit ridge.
  const ridgeB = personal ? ridge : 1;
  /** Mean log-loss (data only) and the penalised objective the steps minimise. */
  const objective = (t: Float64Array) => {
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const z = t[Math.min(rows.position[r]!, P - 1)]! + t[A]! * rows.base[r]! + t[B]! * (personal ? rows.personal[r]! : 0);
      // log(1 + e^z) − y·z, stable for large |z|.
      loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - rows.y[r]! * z;
    }
    return { logLoss: loss / n, penalised: loss + (ridge * t[A]! * t[A]! + ridgeB * t[B]! * t[B]!) / 2 };
  };
  let current = objective(theta);
  for (let iter = 0; iter < 50; iter++) {
    const g = new Float64Array(m);
    const h = new Float64Array(m * m);
    for (let r = 0; r < n; r++) {
      const p = Math.min(rows.position[r]!, P - 1);
      const x1 = rows.base[r]!;
      const x2 = personal ? rows.personal[r]! : 0;
      const q = 1 / (1 + Math.exp(-(theta[p]! + theta[A]! * x1 + theta[B]! * x2)));
      const e = q - rows.y[r]!;
      const w = Math.max(q * (1 - q), 1e-9);
      // x = [one-hot p, x1, x2]: only six distinct Hessian entries per row.
      g[p]! += e;
      g[A]! += e * x1;
      g[B]! += e * x2;
      h[p * m + p]! += w;
      h[p * m + A]! += w * x1;
      h[p * m + B]! += w * x2;
      h[A * m + A]! += w * x1 * x1;
      h[A * m + B]! += w * x1 * x2;
      h[B * m + B]! += w * x2 * x2;
    }
    // Ridge on the slopes; a tiny one on intercepts keeps never-seen positions solvable.
    for (let p = 0; p < P; p++) h[p * m + p]! += 1e-6;
    g[A]! += ridge * theta[A]!;
    g[B]! += ridgeB * theta[B]!;
    h[A * m + A]! += ridge;
    h[B * m + B]! += ridgeB;
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) h[i * m + j] = h[j * m + i]!;
    const step = choleskySolve(h, g, m, 1);
    // Backtracking: a full Newton step from far away can overshoot (rare clicks, a personal
    // term with a wide scale) and land where the log-loss is worse than where it started — seen
    // in the world suite as a "fit" with λ at its cap and 10× the base-only log-loss. Halve the
    // step until the penalised objective falls.
    let t = 1;
    let next = theta;
    let nextObj = current;
    for (let half = 0; half < 30; half++, t /= 2) {
      const trial = theta.map((v, i) => v - t * step[i]!);
      const o = objective(trial);
      if (o.penalised <= current.penalised) {
        next = trial;
        nextObj = o;
        break;
      }
    }
    let maxStep = 0;
    for (let i = 0; i < m; i++) maxStep = Math.max(maxStep, Math.abs(next[i]! - theta[i]!));
    theta = next;
    current = nextObj;
    if (maxStep < 1e-7) break;
  }
  return { a: theta[A]!, b: personal ? theta[B]! : 0, positionLogits: Array.from(theta.subarray(0, P)), logLoss: current.logLoss };
}

/** χ²₁ at 1%: the likelihood-ratio statistic the personal term must clear to be used. */
export const PERSONAL_LR_MIN = 6.63;

/**
 * The personal weight λ = b / a of a blend, clamped to [0, 3].
 * - 0 when the personal term does not predict held-out clicks beyond base appeal: its
 *   likelihood-ratio statistic 2n(logLoss_base-only − logLoss) is below `PERSONAL_LR_MIN`. The
 *   full fit always scores at least as well on the rows it was fitted to, so "lower log-loss" alone
 *   passed noise: in the large-catalog world's first trained round (about 4 showings per item,
 *   n = 8,360, log-loss equal to 4 digits) λ came out at 1, and users with a cached list got a
 *   noise-ranked one.
 * - 1 (the model as trained) when there is no blend (the holdout is too small to say anything), or
 *   base appeal does not predict clicks (a ≤ 0.05) while the personal term does.
 */
export function personalWeight(blend: Blend | null): number {
  if (!blend) return 1;
  if (!(2 * blend.n * (blend.logLossBaseOnly - blend.logLoss) >= PERSONAL_LR_MIN)) return 0;
  if (!(blend.a > 0.05)) return 1;
  return Math.min(3, Math.max(0, blend.b / blend.a));
}

/**
 * Parameters whose score U'_u · V_i + b'_i ranks like base_i + λ · U_u · V_i: user rows scaled
 * by λ, item biases replaced by the base-appeal logits, no global bias. Candidate generation
 * (`topKForUsers`) then ranks with the blend without knowing about it.
 * @param baseLogit logit of each item's de-biased base appeal (all data)
 */
export function servingParams(params: MfParams, baseLogit: Float64Array, lambda: number): MfParams {
  return {
    dims: params.dims,
    user: params.user.map((x) => x * lambda),
    item: params.item,
    bias: Float32Array.from(baseLogit),
    globalBias: 0,
  };
}

