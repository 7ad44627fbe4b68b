import { hash32 } from '../rng.js';

/** One logged slate's positions, as the reward model reads them. */
export type ModelSlate = ReadonlyArray<{ item_id: string; position: number; reward: number }>;

/**
 * A separable reward model q̂(item, position) = θ_position · γ_item, for the direct-method part of
 * the deploy gate's doubly robust estimate.
 */
export interface ItemPositionModel {
  /** θ_l: mean reward at position l in the fitting slates (0 past the longest slate). */
  theta: readonly number[];
  /** γ for an item the fitting slates never showed: the rarely shown items' pooled lift. */
  prior: number;
  /** γ_i of every item the fitting slates showed. */
  gamma: ReadonlyMap<string, number>;
}

/** Bounds of the fitted prior strength α (`liftStrength`), in expected rewards. */
export const ITEM_MODEL_STRENGTH = { min: 0.02, max: 5 } as const;

/**
 * Fits q̂(i, l) = θ_l · γ_i to logged slates, position-debiased and shrunk:
 * - θ_l = mean reward at position l (the logging policy's reward there);
 * - E_i = Σ θ_l over the positions item i was shown at (its expected reward as an average item),
 *   C_i = its rewards; γ_i = (C_i + α γ₀) / (E_i + α): the posterior mean of a Gamma(αγ₀, α) prior
 *   on γ_i with Poisson rewards;
 * - γ₀ = Σ C / Σ E over the rarely shown items (show count ≤ the median item's);
 * - α fitted by the method of moments (`liftStrength`) unless given.
 * Why γ₀ is the rarely shown items' lift and not 1: under a trained policy the often shown items
 * are the ones it ranks, the rarely shown ones came from the exploration pool, and an item the
 * logs never show is a pool item too. Valuing it at the ranked items' rate would let a candidate
 * that ranks unknown items (a broken one) look as good as the serving version; valuing it at the
 * pool's rate prices it as what the logs say such items are.
 * @param slates each slate's (item, position, reward)
 * @param strength α > 0; fitted when undefined
 */
export function fitItemPositionModel(slates: readonly ModelSlate[], strength?: number): ItemPositionModel {
  if (strength !== undefined && !(strength > 0 && Number.isFinite(strength))) throw new RangeError(`strength must be finite and > 0, got ${strength}`);
  const sum: number[] = [];
  const count: number[] = [];
  for (const s of slates) {
    for (const it of s) {
      sum[it.position] = (sum[it.position] ?? 0) + it.reward;
      count[it.position] = (count[it.position] ?? 0) + 1;
    }
  }
  const theta = Array.from({ length: count.length }, (_, l) => (count[l] ? sum[l]! / count[l]! : 0));
  const stats = new Map<string, { shows: number; expected: number; reward: number }>();
  for (const s of slates) {
    for (const it of s) {
      let st = stats.get(it.item_id);
      if (!st) stats.set(it.item_id, (st = { shows: 0, expected: 0, reward: 0 }));
      st.shows++;
      st.expected += theta[it.position]!;
      st.reward += it.reward;
    }
  }
  const shows = [...stats.values()].map((s) => s.shows).sort((a, b) => a - b);
  const median = shows.length ? shows[Math.floor((shows.length - 1) / 2)]! : 0;
  let rareReward = 0;
  let rareExpected = 0;
  for (const s of stats.values()) {
    if (s.shows > median) continue;
    rareReward += s.reward;
    rareExpected += s.expected;
  }
  const prior = rareExpected > 0 ? rareReward / rareExpected : 1;
  const alpha = strength ?? liftStrength([...stats.values()], prior);
  const gamma = new Map<string, number>();
  for (const [item, s] of stats) gamma.set(item, (s.reward + alpha * prior) / (s.expected + alpha));
  return { theta, prior, gamma };
}

/**
 * The prior strength α (the Gamma prior's rate) by the method of moments: with C_i ~ Poisson(γ_i E_i)
 * and γ_i of mean γ₀ and variance τ², E[(C_i − γ₀E_i)²] = γ₀E_i + τ²E_i², so
 *   τ² = Σ_i [(C_i − γ₀E_i)² − γ₀E_i] / Σ_i E_i²,   α = γ₀ / τ²,
 * with τ² at least the estimate's own noise level √Σ(μ_i + 2μ_i²) / Σ E_i² (μ_i = γ₀E_i), kept in
 * `ITEM_MODEL_STRENGTH`. A fixed α
 * of one expected reward was a strong prior where rewards are rare: in a 12,000-item catalog at
 * 1–2% CTR an item shown twice has E ≈ 0.05, so a click moved its γ by 5% and every thinly shown
 * item looked like the pool — the gate valued a candidate ranking the items that earned clicks
 * like one ranking junk and rejected it (true value 4–11× the serving one). Where items' rates
 * really differ, α is small and a few clicks count; where they do not, it is large.
 */
export function liftStrength(items: ReadonlyArray<{ expected: number; reward: number }>, prior: number): number {
  let num = 0;
  let den = 0;
  let noise = 0;
  for (const s of items) {
    const mu = prior * s.expected;
    const d = s.reward - mu;
    num += d * d - mu;
    den += s.expected * s.expected;
    // Var((C − μ)²) of a Poisson count: μ + 2μ².
    noise += mu + 2 * mu * mu;
  }
  if (!(den > 0)) return ITEM_MODEL_STRENGTH.max;
  // Below its own noise the estimate says only that the spread is at most that: take the noise
  // level (the most the data can rule out), so thin data never claims equal items.
  const tau2 = Math.max(num, Math.sqrt(noise)) / den;
  if (!(tau2 > 0)) return ITEM_MODEL_STRENGTH.max;
  return Math.min(ITEM_MODEL_STRENGTH.max, Math.max(ITEM_MODEL_STRENGTH.min, prior / tau2));
}

/** q̂(item, position) of a fitted model. */
export function predictReward(model: ItemPositionModel, item: string, position: number): number {
  return (model.theta[position] ?? 0) * (model.gamma.get(item) ?? model.prior);
}

/**
 * Two-fold cross-fitting: each slate is assigned a fold by a hash of its id, and gets the model
 * fitted on the other fold, so the doubly robust correction never uses a model that saw the same
 * rewards (which would shrink the residuals it corrects by and narrow the interval falsely).
 * @returns the model to use for each slate, in input order
 */
export function crossFitModels(slates: ReadonlyArray<{ id: string; items: ModelSlate }>): ItemPositionModel[] {
  const fold = slates.map((s) => hash32(s.id) & 1);
  const fits = [0, 1].map((f) => fitItemPositionModel(slates.filter((_, i) => fold[i] !== f).map((s) => s.items)));
  return fold.map((f) => fits[f]!);
}

/**
 * A model's value of a slate distribution: Σ_l Σ_a P(a at l) · q̂(a, l), for a table of
 * per-position marginals (`slateMarginals`).
 */
export function tableValue(model: ItemPositionModel, table: ReadonlyArray<ReadonlyMap<string, number>>): number {
  let v = 0;
  table.forEach((row, l) => row.forEach((p, item) => (v += p * predictReward(model, item, l))));
  return v;
}
