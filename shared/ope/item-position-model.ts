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

/** Prior strength α of `fitItemPositionModel`, in expected rewards (θ units summed over shows). */
export const ITEM_MODEL_STRENGTH = 1;

/**
 * Fits q̂(i, l) = θ_l · γ_i to logged slates, position-debiased and shrunk:
 * - θ_l = mean reward at position l (the logging policy's reward there);
 * - E_i = Σ θ_l over the positions item i was shown at (its expected reward as an average item),
 *   C_i = its rewards; γ_i = (C_i + α γ₀) / (E_i + α);
 * - γ₀ = Σ C / Σ E over the rarely shown items (show count ≤ the median item's).
 * Why γ₀ is the rarely shown items' lift and not 1: under a trained policy the often shown items
 * are the ones it ranks, the rarely shown ones came from the exploration pool, and an item the
 * logs never show is a pool item too. Valuing it at the ranked items' rate would let a candidate
 * that ranks unknown items (a broken one) look as good as the serving version; valuing it at the
 * pool's rate prices it as what the logs say such items are.
 * @param slates each slate's (item, position, reward)
 * @param strength α > 0
 */
export function fitItemPositionModel(slates: readonly ModelSlate[], strength = ITEM_MODEL_STRENGTH): ItemPositionModel {
  if (!(strength > 0 && Number.isFinite(strength))) throw new RangeError(`strength must be finite and > 0, got ${strength}`);
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
  const gamma = new Map<string, number>();
  for (const [item, s] of stats) gamma.set(item, (s.reward + strength * prior) / (s.expected + strength));
  return { theta, prior, gamma };
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
export function crossFitModels(slates: ReadonlyArray<{ id: string; items: ModelSlate }>, strength = ITEM_MODEL_STRENGTH): ItemPositionModel[] {
  const fold = slates.map((s) => hash32(s.id) & 1);
  const fits = [0, 1].map((f) => fitItemPositionModel(slates.filter((_, i) => fold[i] !== f).map((s) => s.items), strength));
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
