import { logBeta, mixtureWeights, normaliseRows } from '../../shared/stats/grid-mixture.js';
import type { ItemStats } from './item-stats.js';

export interface BetaPosteriors {
  prior: { alpha: number; beta: number };
  alpha: Float64Array;
  beta: Float64Array;
  /** New arrivals (`mixturePosteriors`): how many were examined, the likelihood-ratio statistic of their own prior, and whether it was used. */
  newArrivals?: { examined: number; lr: number; ownPrior: boolean };
}

/**
 * Beta–Bernoulli posteriors of each item's reward rate per examination:
 * α_i = α₀ + rewarded_i, β_i = β₀ + max(0, exposure_i − rewarded_i), with an empirical-Bayes prior
 * of mean p₀ = Σ rewarded / Σ exposure and strength m pseudo-examinations (α₀ = m p₀,
 * β₀ = m (1 − p₀)).
 *
 * m is fitted by the method of moments unless given: the spread of true item rates is the spread
 * of observed rates minus their sampling noise, τ² = Var(r_i / e_i) − mean(p₀(1 − p₀) / e_i) over
 * items with at least 10 examinations, and a Beta prior of that variance has m = p₀(1 − p₀)/τ² − 1,
 * kept in [2, 200]; when the observed spread is within the noise, τ² is taken at the noise level
 * (the most the data can rule out), so thin data keeps the prior weak. A
 * catalog of near-equal items gets a strong prior (shrink hard: differences are noise); a long tail with a few stars gets a weak one, so a new item's posterior is wide — it could
 * be a star — and a handful of clicks moves an item far. Without enough items to fit, m = 20.
 * With no data the prior is Beta(1, 19) (mean 5%).
 * @param m prior strength; fitted when undefined
 */
export function betaPosteriors(stats: ItemStats, m?: number): BetaPosteriors {
  let r = 0;
  let e = 0;
  for (let i = 0; i < stats.rewarded.length; i++) {
    r += stats.rewarded[i]!;
    e += stats.exposure[i]!;
  }
  const p0 = e > 0 && r > 0 ? Math.min(0.99, Math.max(1e-4, r / e)) : 0.05;
  const strength = m ?? priorStrength(stats, p0);
  const prior = { alpha: strength * p0, beta: strength * (1 - p0) };
  const n = stats.rewarded.length;
  const alpha = new Float64Array(n);
  const beta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    alpha[i] = prior.alpha + stats.rewarded[i]!;
    beta[i] = prior.beta + Math.max(0, stats.exposure[i]! - stats.rewarded[i]!);
  }
  return { prior, alpha, beta };
}

/** Method-of-moments prior strength (see `betaPosteriors`). */
export function priorStrength(stats: ItemStats, p0: number, minExposure = 10): number {
  let n = 0;
  let mean = 0;
  let sq = 0;
  let noise = 0;
  for (let i = 0; i < stats.rewarded.length; i++) {
    const ex = stats.exposure[i]!;
    if (ex < minExposure) continue;
    const rate = Math.min(1, stats.rewarded[i]! / ex);
    n++;
    mean += rate;
    sq += rate * rate;
    noise += (p0 * (1 - p0)) / ex;
  }
  if (n < 20) return 20;
  mean /= n;
  const tau2 = sq / n - mean * mean - noise / n;
  // No spread beyond sampling noise: the data rule out a spread much above the noise level v̄, and
  // no more — thin data (early rounds: a few examinations per item) must not claim a flat catalog.
  const spread = tau2 > 0 ? tau2 : noise / n;
  return Math.min(200, Math.max(2, (p0 * (1 - p0)) / spread - 1));
}

/** @returns posterior mean α / (α + β) of each item */
export function posteriorMeans(p: BetaPosteriors): Float64Array {
  return p.alpha.map((a, i) => a / (a + p.beta[i]!));
}

/** Shape of every component of the mixture prior (`mixturePosteriors`): κ pseudo-rewards. */
const KAPPA = 40;
/** Components of the mixture prior: rates per examination, log-spaced over [1e-4, 0.95]. */
const GRID = Array.from({ length: 60 }, (_, g) => 1e-4 * Math.pow(0.95 / 1e-4, g / 59));
/** Component g is Beta(KAPPA, B0[g]), of mean GRID[g]; LB0[g] = ln B(KAPPA, B0[g]). */
const B0 = GRID.map((p) => (KAPPA * (1 - p)) / p);
const LB0 = B0.map((b) => logBeta(KAPPA, b));

/**
 * Item posteriors under a prior learned from the catalog's own evidence, with no assumed shape:
 * a mixture of narrow Beta components (means on a log-spaced grid of rates, κ = 40 pseudo-rewards
 * each, so about 16% wide) whose weights are fitted by EM to maximise the marginal likelihood of
 * every item's (rewards, examinations) — nonparametric empirical Bayes (g-modelling). Each item's
 * posterior mixture is then summarised by the Beta of the same mean and variance, and the prior by
 * the Beta of the mixture's, so everything downstream (pool, UCB, Thompson, `posteriors.json`)
 * reads Beta parameters as before, and a never-examined item still carries exactly the prior.
 *
 * Why not one Beta (`betaPosteriors`): quality in a catalog is often heavy-tailed — most items
 * junk, a few stars. One Beta wide enough to admit the stars shrinks so little that an item with
 * one click in one examination outranks one with 3 in 10 (1.02/3 against 3.02/12 at m = 2); the
 * mixture knows a star is rare and a lucky click common, and ranks 3 in 10 first. In the
 * large-catalog world (12,000 items, Zipf quality) the single Beta served lists worth 0.02–0.05
 * of the oracle for three rounds on one seed (the most-clicked list reached 0.12); with the
 * mixture, round 2 is at 0.30–0.45 (two runs of three seeds). Where quality is bell-shaped the
 * mixture fits a bell and ranks as the single Beta does.
 * Falls back to `betaPosteriors` with fewer than 20 examined items (too few to learn a shape).
 *
 * New arrivals (`newArrivals`, e.g. items created in the catalog's last week) get a prior of
 * their own, learned the same way from their own evidence and pulled toward the catalog's by
 * `COHORT_PRIOR_ITEMS`. Why: a catalog's old tail and its new arrivals need not share a shape —
 * in the world suite's large catalog 10% of the new items are stars against a few in 12,000 old
 * ones, so under one prior a new item with 1 click in ~40 showings (the usual outcome of one
 * round of exploration for the weaker stars: 6–20% CTR shown low in the slate) looked like junk
 * and was never shown again, while under its cohort's prior it stays a plausible winner. Where
 * new items are like old ones, the two priors come out alike.
 * @param newArrivals per item row, 1 for a new arrival (own prior); absent: one prior for all
 */
export function mixturePosteriors(stats: ItemStats, newArrivals?: ArrayLike<number>, iterations = 200): BetaPosteriors {
  const n = stats.rewarded.length;
  const seen: number[] = [];
  for (let i = 0; i < n; i++) if (stats.exposure[i]! > 0) seen.push(i);
  if (seen.length < 20) return betaPosteriors(stats);
  const G = GRID.length;
  // Marginal likelihood of each examined item under each component (Beta-binomial, up to the
  // item's own constant).
  const like = new Float64Array(seen.length * G);
  seen.forEach((i, k) => {
    const c = stats.rewarded[i]!;
    const f = Math.max(0, stats.exposure[i]! - c);
    for (let g = 0; g < G; g++) like[k * G + g] = logBeta(KAPPA + c, B0[g]! + f) - LB0[g]!;
  });
  normaliseRows(like, G);
  const w = mixtureWeights(like, G, iterations);
  // The new arrivals' own prior: the same EM over their rows only, pulled toward the catalog's.
  const cohort = seen.flatMap((i, k) => (newArrivals?.[i] ? [k] : []));
  const own = newArrivals ? cohortPrior(like, G, cohort, w, iterations) : null;
  const wNew = own?.weights ?? w;
  const weightsOf = (i: number) => (newArrivals?.[i] ? wNew : w);
  /** The Beta with the mean and variance of Σ_g r_g · Beta(KAPPA + c, B0_g + f). */
  const summarise = (r: (g: number) => number, c: number, f: number) => {
    let m1 = 0;
    let m2 = 0;
    let z = 0;
    for (let g = 0; g < G; g++) {
      const q = r(g);
      if (!(q > 0)) continue;
      const a = KAPPA + c;
      const s = a + B0[g]! + f;
      m1 += (q * a) / s;
      m2 += (q * a * (a + 1)) / (s * (s + 1));
      z += q;
    }
    const mean = m1 / z;
    const v = Math.max(m2 / z - mean * mean, 1e-12);
    const strength = Math.max((mean * (1 - mean)) / v - 1, 1e-3);
    return { alpha: mean * strength, beta: (1 - mean) * strength };
  };
  const prior = summarise((g) => w[g]!, 0, 0);
  const priorNew = summarise((g) => wNew[g]!, 0, 0);
  const alpha = Float64Array.from({ length: n }, (_, i) => (newArrivals?.[i] ? priorNew.alpha : prior.alpha));
  const beta = Float64Array.from({ length: n }, (_, i) => (newArrivals?.[i] ? priorNew.beta : prior.beta));
  seen.forEach((i, k) => {
    const c = stats.rewarded[i]!;
    const wi = weightsOf(i);
    const post = summarise((g) => wi[g]! * like[k * G + g]!, c, Math.max(0, stats.exposure[i]! - c));
    alpha[i] = post.alpha;
    beta[i] = post.beta;
  });
  return { prior, alpha, beta, ...(own ? { newArrivals: { examined: cohort.length, lr: own.lr, ownPrior: own.weights !== w } } : {}) };
}

/**
 * Pseudo-items of the catalog's prior that the new arrivals' prior starts from: a Dirichlet prior
 * on their mixture weights centred on the catalog's (`mixtureWeights`' `prior`).
 */
export const COHORT_PRIOR_ITEMS = 50;
/**
 * The likelihood-ratio statistic a cohort's own prior must reach over the catalog's to be used
 * (χ²₂ at 1%): a cohort like the catalog keeps the catalog's prior, not a noisier copy of it.
 */
export const COHORT_LR_MIN = 9.21;

/**
 * The new arrivals' mixture weights: their own EM fit (`COHORT_PRIOR_ITEMS` pseudo-items of the
 * catalog's), kept only when it explains their evidence better than the catalog's weights by
 * `COHORT_LR_MIN`; else the catalog's.
 * @param units rows of `like` that are new arrivals
 */
export function cohortPrior(like: Float64Array, components: number, units: readonly number[], catalog: Float64Array, iterations = 200): { weights: Float64Array; lr: number } {
  if (units.length === 0) return { weights: catalog, lr: 0 };
  const own = mixtureWeights(like, components, iterations, { units, prior: { weights: catalog, items: COHORT_PRIOR_ITEMS } });
  let lr = 0;
  for (const k of units) {
    let a = 0;
    let b = 0;
    for (let g = 0; g < components; g++) {
      a += own[g]! * like[k * components + g]!;
      b += catalog[g]! * like[k * components + g]!;
    }
    if (a > 0 && b > 0) lr += 2 * Math.log(a / b);
  }
  return { weights: lr >= COHORT_LR_MIN ? own : catalog, lr };
}

/** How recent an item's creation must be, against the catalog's newest, to count as a new arrival. */
export const NEW_ARRIVAL_MS = 7 * 86_400_000;

/**
 * Which items are new arrivals (1) for `mixturePosteriors`: created within `NEW_ARRIVAL_MS` of the
 * catalog's newest item (so a catalog that stopped growing still has its latest cohort). An item
 * of unknown creation time is not.
 * @param createdAt per item row, epoch ms (NaN when unknown)
 */
export function newArrivals(createdAt: ArrayLike<number>, windowMs = NEW_ARRIVAL_MS): Uint8Array {
  let newest = -Infinity;
  for (let i = 0; i < createdAt.length; i++) if (createdAt[i]! > newest) newest = createdAt[i]!;
  return Uint8Array.from({ length: createdAt.length }, (_, i) => (createdAt[i]! >= newest - windowMs ? 1 : 0));
}
