import { checkClip } from './clipped-ips.js';
import { estimateFromTerms, kishEss } from './interval.js';
import type { Estimate, IntervalOptions, SlateData, Terms } from './types.js';
import { checkEnough, checkFinite, checkProbabilities, checkPropensities, checkSameLength } from './validate.js';

/** A reward model's predictions for the slate doubly robust estimator. */
export interface SlateModelData {
  /** q̂(a_{i,l}, l): the model's reward for each logged item at its logged position. */
  qLogged: readonly (readonly number[])[];
  /** q̂_π(x_i) = Σ_l Σ_a π_e(a at l | x_i) q̂(a, l): the model's value of the target's slate at x_i. */
  qTarget: readonly number[];
  /**
   * Item-level weights under the position-based model, replacing π_e/π_0 of the slot: for each
   * logged item, E_e(a) = Σ_l π_e(a at l | x_i) θ_l (`target`) and E_0(a) the same under the
   * logging policy (`logging`), w = E_e/E_0. Absent: position-wise weights. See `slateDrTerms`.
   */
  exposures?: { target: readonly (readonly number[])[]; logging: readonly (readonly number[])[] };
}

/** Options of the slate doubly robust estimator. */
export interface SlateDrOptions {
  /**
   * λ: each weight in the correction is min(w, λ); default none. Where the log showed the target's
   * item at a slot only by exploring (π_0 ≈ ε/|pool|), w runs to hundreds, and one click there
   * would move the estimate by w/n; clipped, that slot leans on the model instead.
   */
  clip?: number;
}

/**
 * Doubly robust for slates, position-wise:
 *
 *   V̂ = (1/n) Σ_i [ q̂_π(x_i) + Σ_l min(w_{i,l}, λ) (r_{i,l} − q̂(a_{i,l}, l)) ]
 *
 * w_{i,l} = π_e(a_{i,l} at l | x_i) / π_0(a_{i,l} at l | x_i) as in `slateIps`; q̂ a reward model
 * fitted on other data (cross-fit it); q̂_π(x_i) = Σ_l Σ_a π_e(a at l | x_i) q̂(a, l). The direct
 * part values every slot of the target's slate, including items the log never showed there; the
 * weighted residuals correct the model where the log covers the target.
 *
 * Bias: none under position independence when the log covers the target and no weight is
 * clipped, whatever q̂ is; where the log does not cover it (or λ clips), the model's error there.
 * So, unlike IPS, it still says something about a candidate the log barely covers — as much as
 * the model knows — and a single lucky click at a rarely logged slot cannot dominate it (the
 * self-normalised form was tried: with one matching impression at a slot, that impression's
 * residual became the slot's whole correction, valuing a candidate at 4.5 clicks per slate where
 * the world's best was under 1). Variance: that of slate IPS with r replaced by the residual, plus
 * the spread of q̂_π over contexts; interval on the per-impression terms, which pair in a difference.
 *
 * With `exposures`, the weight of a logged item is item-level: w = E_e(a) / E_0(a), the expected
 * examination the target gives the item (anywhere in its slate) over the logging policy's. Under
 * the position-based model E[r | a at l] = θ_l α_a, so E_0[Σ_a w_a (r_a − θ_l α̂_a)] =
 * Σ_a E_e(a) (α_a − α̂_a) and the estimate stays unbiased, now wherever the log showed the
 * target's item to that user at any position: a target that re-orders what the log showed is
 * judged on the clicks the log saw, where position-wise weights matched only the slots it left
 * in place and left the rest to the model. Needs θ right (`examinationCurve`).
 *
 * References: Dudík, Langford & Li (2011), ICML (DR); Kiyohara et al. (2022), "Doubly robust
 * off-policy evaluation for ranking policies under the cascade behavior model", WSDM; Li et al.
 * (2018), "Offline evaluation of ranking policies with click models", KDD (item-position
 * weights); OBP `DoublyRobust(lambda_)` (clipped weights in the correction).
 */
export function slateDr(data: SlateData & SlateModelData, options: SlateDrOptions & IntervalOptions = {}): Estimate {
  return estimateFromTerms(slateDrTerms(data, options), options);
}

/** Per-impression terms a_i = q̂_π(x_i) + Σ_l min(w_{i,l}, λ) (r_{i,l} − q̂(a_{i,l}, l)). */
export function slateDrTerms(data: SlateData & SlateModelData, options: SlateDrOptions = {}): Terms {
  const n = checkSameLength({ rewards: data.rewards, propensities: data.propensities, targetProbabilities: data.targetProbabilities, qLogged: data.qLogged, qTarget: data.qTarget, ...(data.exposures ? { exposuresTarget: data.exposures.target, exposuresLogging: data.exposures.logging } : {}) });
  checkEnough(n);
  checkFinite('qTarget', data.qTarget);
  if (options.clip !== undefined) checkClip(options.clip);
  const clip = options.clip ?? Infinity;
  const a = new Float64Array(n);
  const all: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = data.rewards[i]!;
    const p0 = data.propensities[i]!;
    const pe = data.targetProbabilities[i]!;
    const q = data.qLogged[i]!;
    checkSameLength({ rewards: r, propensities: p0, targetProbabilities: pe, qLogged: q }, `row ${i}: `);
    checkFinite(`rewards[${i}]`, r);
    checkFinite(`qLogged[${i}]`, q);
    checkPropensities(`propensities[${i}]`, p0);
    checkProbabilities(`targetProbabilities[${i}]`, pe);
    const ee = data.exposures?.target[i];
    const e0 = data.exposures?.logging[i];
    if (ee && e0) {
      checkSameLength({ rewards: r, exposuresTarget: ee, exposuresLogging: e0 }, `row ${i}: `);
      checkFinite(`exposures.target[${i}]`, ee);
      checkPropensities(`exposures.logging[${i}]`, e0);
    }
    let s = data.qTarget[i]!;
    for (let l = 0; l < r.length; l++) {
      const w = ee && e0 ? ee[l]! / e0[l]! : pe[l]! / p0[l]!;
      all.push(w);
      s += Math.min(w, clip) * (r[l]! - q[l]!);
    }
    a[i] = s;
  }
  const meanLength = all.length / n;
  return { estimator: `${options.clip === undefined ? '' : 'clipped-'}slate-dr`, a, b: null, ess: meanLength > 0 ? kishEss(all) / meanLength : 0 };
}
