import { hash32 } from '../rng.js';
import { logit, sigmoid } from '../stats/logistic.js';
import { mixtureWeights, normaliseRows } from '../stats/grid-mixture.js';
import { cascadeTaken, fitCascade, readingGivenAbove } from './cascade-reading.js';
import { examinationCurve, slateCells, slotRanks, stratumKey, type ExaminationCell } from './examination.js';

/**
 * One logged slate's positions, as the reward model reads them; `explored`, when the log says
 * which slots the exploration pool filled, lets the model separate reading from ranking.
 */
export type ModelSlate = ReadonlyArray<{ item_id: string; position: number; reward: number; explored?: boolean }>;

/**
 * A separable reward model q̂(user, item, position) = θ_position · γ_item · ρ_user,item, for the
 * direct-method part of the deploy gate's doubly robust estimate.
 */
export interface ItemPositionModel {
  /**
   * θ_l: the reward an average item earns at position l (0 past the longest slate) — the
   * examination curve of the exploration's experiments (`examinationCurve`), scaled to the
   * slates' rewards, or without explored marks the mean reward at l.
   */
  theta: readonly number[];
  /** γ for an item the fitting slates never showed: the rarely shown items' pooled lift. */
  prior: number;
  /** γ_i of every item the fitting slates showed. */
  gamma: ReadonlyMap<string, number>;
  /**
   * ρ_ui of every (user, item) pair the fitting slates showed (`pairKey`): how much more (or less)
   * this user takes this item than its lift says; 1 for any other pair. Empty when the slates
   * carry no user.
   */
  pairs: ReadonlyMap<string, number>;
  /**
   * A version's taste for pairs the fitting slates never showed (`PairTaste`), and each shown
   * item's logit offset κ_i (`tasteNorms`, `tasteLift`); absent: such pairs take the item's lift.
   */
  taste?: { of: PairTaste; norm: ReadonlyMap<string, number> };
  /**
   * The chance a reader stops after a click (`fitCascade`), present only where readers do
   * (stop ≥ 1 − `STOP_MATERIAL`): θ is then reading with no stop (θ_l / θ_0 the cascade's e_l), a
   * logged slot is priced with the reading its own slate's clicks above leave (`predictLogged`) and
   * a version's slate with the reading its own expected clicks leave (`readOnValue`). Absent:
   * reading does not depend on clicks above (the position-based model).
   */
  stop?: number;
}

/**
 * t(user, item): a log-scale taste of a user for an item — a version's λ · U_u · V_i, the personal
 * part of the score its cached lists rank by (`VersionTarget.taste`), or the gate's mean of two
 * (`gateTaste`); undefined when it does not know the user or the item.
 */
export type PairTaste = (user: string, item: string) => number | undefined;

/** The mean of two tastes where both know the pair, else the one that does; null when both are null. */
export function meanTaste(a: PairTaste | null, b: PairTaste | null): PairTaste | null {
  if (!a || !b) return a ?? b;
  return (user, item) => {
    const x = a(user, item);
    const y = b(user, item);
    return x === undefined ? y : y === undefined ? x : (x + y) / 2;
  };
}

/** Bounds of a taste lift τ_ui (`tasteLift`): a version's taste may move an item's value at most 4-fold either way. */
export const TASTE_LIFT = { min: 0.25, max: 4 } as const;

/** The key of a (user, item) pair in `ItemPositionModel.pairs`. */
export function pairKey(user: string, item: string): string {
  return `${user}\n${item}`;
}

/**
 * The prior on item lifts γ_i: 'gamma', one Gamma(αγ₀, α) with α fitted by the method of moments
 * (`liftStrength`); a number, the same with α fixed; 'mixture', a mixture of narrow Gammas whose
 * weights are fitted to the items' evidence (`liftMixture`); 'blend', the mean of the two
 * posterior lifts (see `fitItemPositionModel`).
 */
export type LiftPrior = (typeof LIFT_PRIORS)[number] | number;

/** The named priors of `LiftPrior` (a number is a fixed Gamma strength). */
export const LIFT_PRIORS = ['gamma', 'mixture', 'blend'] as const;

/** The deploy gate's prior on item lifts (see `fitItemPositionModel`). */
export const DEFAULT_LIFT_PRIOR: LiftPrior = 'blend';

/** Bounds of the fitted prior strength α (`liftStrength`), in expected rewards. */
export const ITEM_MODEL_STRENGTH = { min: 0.02, max: 5 } as const;

/**
 * Fits q̂(i, l) = θ_l · γ_i to logged slates, position-debiased and shrunk:
 * - θ_l = c · e_l, e_l the examination curve from the exploration's randomised shifts and pool
 *   draws (`examinationCurve`) and c = Σ rewards / Σ e over the showings (so γ stays a lift, mean
 *   ≈ 1); without explored marks, the mean reward at l (the logging policy's reward there);
 * - E_i = Σ θ_l over the positions item i was shown at (its expected reward as an average item),
 *   C_i = its rewards; γ_i a posterior mean of the item's lift with Poisson rewards, under the
 *   `prior`: 'gamma', (C_i + α γ₀) / (E_i + α) under one Gamma(αγ₀, α), α fitted by the method of
 *   moments (`liftStrength`; a number fixes it); 'mixture', under a mixture of narrow Gammas whose
 *   weights are fitted to every item's evidence (`liftMixture`); 'blend' (the default), the mean
 *   of the two (why: below);
 * - γ₀ = Σ C / Σ E over the rarely shown items (show count ≤ the median item's): an item the
 *   fitting slates never showed;
 * - with users: ρ_ui = (C_ui + β) / (γ_i E_ui + β) per (user, item) pair shown, the same Gamma–
 *   Poisson shrinkage of the pair's rewards toward what its item's lift predicts (ρ = 1), β fitted
 *   by `liftStrength` over the pairs. An item-level model prices a personalised slate at the items'
 *   average lifts: in the demo's world (users back 5 times a round) the gate valued the first
 *   strongly personalised candidate at Δ̂ −0.20 [−0.30, −0.10] while it was truly 23% better, and
 *   rejected it. Where users do not come back to the same items, β is large and ρ stays near 1.
 * Why γ₀ is the rarely shown items' lift and not 1: under a trained policy the often shown items
 * are the ones it ranks, the rarely shown ones came from the exploration pool, and an item the
 * logs never show is a pool item too. Valuing it at the ranked items' rate would let a candidate
 * that ranks unknown items (a broken one) look as good as the serving version; valuing it at the
 * pool's rate prices it as what the logs say such items are.
 * Why not the mean reward at l where the log marks explored slots: a trained policy puts its best
 * items on top, so the mean reward falls down the slate faster than reading does, and an item the
 * pool showed low was credited with that many fewer expected rewards; its γ came out too high and
 * a candidate that moved it to the top looked better than it was (replayed on 38 kept world runs:
 * Δ̂ a median 1.98 × the true Δ). θ from explored slots alone (the next estimator) was noise in a
 * large catalog, whose pool is mostly junk, and flat: a candidate that moved good items up was
 * valued 22% below its truth and rejected while 10% better (see `examinationCurve`).
 * Why the blend of two priors: the candidate the gate judges was trained on the same logs, and the
 * two priors err on opposite sides of it. One Gamma, wide enough for a long tail's few stars,
 * barely shrinks a thinly shown item that got lucky — the item the candidate ranks because of that
 * luck — so Δ̂ leans toward the candidate (a winner's curse; cross-fitting leaves each half of the
 * log half the luck). The fitted mixture learns that most items are junk and shrinks a thin item
 * hard toward them, also the good ones the candidate picked on what the item model cannot see
 * (taste, content), so Δ̂ leans away from it. Replayed on kept world runs with mildly worse
 * planted candidates (`npm run bench:gate -- DIR --prior …`, README): the Gamma published truly
 * worse candidates (by 5–26%) in 15 of 47 gate runs and rejected no truly better one; the mixture
 * published 1 of the 47 but rejected 4 truly better candidates (one a real one, +11%); the blend —
 * the midpoint, not fitted to these runs — sits between (see the README for its figures).
 * - with a version's taste t_ui (`PairTaste`) and users: a pair the slates never showed takes the
 *   taste lift τ_ui = σ(logit a_i + t_ui − κ_i) / a_i instead of 1 (`tasteLift`), a_i = θ_0 · γ_i the
 *   item's click chance when read, κ_i such that τ averages 1 over item i's showings weighted by θ
 *   (so γ_i keeps its meaning: the item's lift among the users the log showed it to), bounded by
 *   `TASTE_LIFT`; a shown pair's lift is shrunk toward τ_ui instead of 1. Why in logit space: the
 *   lift e^{t}/Z (what it was) is the same where clicks are rare, but where a user clicks an item
 *   one read in three it priced strong tastes past certainty — in the demo's world (3 taste
 *   dimensions, everyone back 5 times a round) 4% of logged slots above one click, and the gate
 *   read truly better candidates 0.11 of the serving value low on average and rejected them (2
 *   kept runs, 8 candidates: mean error −0.113; in logit space −0.019, none −0.049).
 *   Why taste at all: an item-level model prices an item a candidate places for the
 *   users whose taste favours it at its lift among the users the log happened to show it to —
 *   the challengers (ranked at the bar for the users whose taste picks them) were read 0.087 of
 *   the serving value low on long-tail runs and one truly +10.9% candidate was held back. The
 *   gate's taste is the mean of the two versions' λ · U · V (`gateTaste`): each weight λ was
 *   fitted on showings its model had not trained on (the batch tier's holdout), so no weight is
 *   fitted here on the logs the candidate trained on (which would reward its overfitting: a
 *   winner's curse), and neither version is priced by its own beliefs alone.
 * @param slates each slate's (item, position, reward)
 * @param prior the prior on item lifts (`LiftPrior`)
 * @param users the user of each slate (same order), for the pair lifts; none: no pairs
 * @param taste a version's taste for the pairs the slates never showed (needs `users`)
 * @param versions the logging policy's version of each slate (same order), for the examination
 *   curve's strata (`examinationCurve`); none: all slates one logging policy
 */
export function fitItemPositionModel(slates: readonly ModelSlate[], prior: LiftPrior = DEFAULT_LIFT_PRIOR, users?: readonly string[], taste?: PairTaste, versions?: readonly (string | null | undefined)[]): ItemPositionModel {
  if (typeof prior === 'number' && !(prior > 0 && Number.isFinite(prior))) throw new RangeError(`strength must be finite and > 0, got ${prior}`);
  const sum: number[] = [];
  const count: number[] = [];
  for (const s of slates) {
    for (const it of s) {
      sum[it.position] = (sum[it.position] ?? 0) + it.reward;
      count[it.position] = (count[it.position] ?? 0) + 1;
    }
  }
  const reading = readingModel(slates, count.length, versions);
  const theta = reading?.theta ?? Array.from({ length: count.length }, (_, l) => (count[l] ? sum[l]! / count[l]! : 0));
  const stop = reading?.stop;
  // What each showing was read, in rewards of an average item: θ_l, or under a cascade θ_0 · b, b
  // the reading its slate's clicks above leave.
  const read = reading?.read ?? slates.map((s) => s.map((it) => theta[it.position]!));
  const stats = new Map<string, { shows: number; expected: number; reward: number }>();
  slates.forEach((s, j) => {
    s.forEach((it, q) => {
      let st = stats.get(it.item_id);
      if (!st) stats.set(it.item_id, (st = { shows: 0, expected: 0, reward: 0 }));
      st.shows++;
      st.expected += read[j]![q]!;
      st.reward += it.reward;
    });
  });
  const shows = [...stats.values()].map((s) => s.shows).sort((a, b) => a - b);
  const median = shows.length ? shows[Math.floor((shows.length - 1) / 2)]! : 0;
  let rareReward = 0;
  let rareExpected = 0;
  for (const s of stats.values()) {
    if (s.shows > median) continue;
    rareReward += s.reward;
    rareExpected += s.expected;
  }
  const pooled = rareExpected > 0 ? rareReward / rareExpected : 1;
  const gamma = new Map<string, number>();
  const items = [...stats.values()];
  const mixed = prior === 'mixture' || prior === 'blend' ? liftMixture(items) : null;
  const alpha = typeof prior === 'number' ? prior : liftStrength(items, pooled);
  [...stats.keys()].forEach((item, k) => {
    const single = (items[k]!.reward + alpha * pooled) / (items[k]!.expected + alpha);
    gamma.set(item, !mixed ? single : prior === 'mixture' ? mixed[k]! : (single + mixed[k]!) / 2);
  });
  const tasted = users && taste ? { of: taste, norm: tasteNorms(slates, users, read, theta, gamma, taste) } : undefined;
  return { theta, prior: pooled, gamma, pairs: users ? pairLifts(slates, users, read, theta, gamma, tasted) : new Map(), ...(tasted ? { taste: tasted } : {}), ...(stop ? { stop } : {}) };
}

/** An item's attraction at the top, a_i = θ_0 · γ_i (the model's click chance when read), kept inside (0, 1). */
function topAttraction(theta: readonly number[], gammaI: number): number {
  return Math.min(1 - 1e-6, Math.max(1e-6, (theta[0] ?? 0) * gammaI));
}

/**
 * κ_i per item: the offset that makes σ(logit a_i + t − κ_i), averaged over item i's showings whose
 * pair the taste knows (weighted by θ), equal a_i (see `tasteLift`). Bisection: the mean falls
 * monotonically in κ, is ≥ a_i at κ = min t and ≤ a_i at κ = max t.
 */
function tasteNorms(slates: readonly ModelSlate[], users: readonly string[], read: readonly (readonly number[])[], theta: readonly number[], gamma: ReadonlyMap<string, number>, taste: PairTaste): Map<string, number> {
  const shown = new Map<string, { w: number[]; t: number[] }>();
  slates.forEach((s, j) => {
    for (const [q, it] of s.entries()) {
      const t = taste(users[j]!, it.item_id);
      const w = read[j]![q] ?? 0;
      if (t === undefined || !Number.isFinite(t) || !(w > 0)) continue;
      let st = shown.get(it.item_id);
      if (!st) shown.set(it.item_id, (st = { w: [], t: [] }));
      st.w.push(w);
      st.t.push(t);
    }
  });
  const norm = new Map<string, number>();
  for (const [item, st] of shown) {
    const a = topAttraction(theta, gamma.get(item)!);
    const base = logit(a);
    let wSum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    st.w.forEach((w, q) => {
      wSum += w;
      lo = Math.min(lo, st.t[q]!);
      hi = Math.max(hi, st.t[q]!);
    });
    const mean = (k: number) => st.t.reduce((acc, t, q) => acc + st.w[q]! * sigmoid(base + t - k), 0) / wSum;
    for (let step = 0; step < 40; step++) {
      const mid = (lo + hi) / 2;
      if (mean(mid) > a) lo = mid;
      else hi = mid;
    }
    norm.set(item, (lo + hi) / 2);
  }
  return norm;
}

/**
 * τ_ui = σ(logit a_i + t_ui − κ_i) / a_i, a_i the item's attraction at the top (θ_0 · γ_i) and κ_i
 * making τ average 1 over the item's logged showings (`tasteNorms`), bounded by `TASTE_LIFT`; 1
 * without a taste, or when the taste does not know the pair or the fitting slates never showed the
 * item. Taste moves the click chance in logit space, so it saturates: where clicks are rare it is
 * e^{t}/Z (a multiplicative lift), where an item is clicked often a strong taste cannot lift it
 * past certainty.
 */
export function tasteLift(model: Pick<ItemPositionModel, 'taste' | 'theta' | 'gamma'>, user: string, item: string): number {
  const kappa = model.taste?.norm.get(item);
  const g = model.gamma.get(item);
  if (kappa === undefined || g === undefined) return 1;
  const t = model.taste!.of(user, item);
  if (t === undefined || !Number.isFinite(t)) return 1;
  const a = topAttraction(model.theta, g);
  const tau = sigmoid(logit(a) + t - kappa) / a;
  return Math.min(TASTE_LIFT.max, Math.max(TASTE_LIFT.min, tau));
}

/**
 * Reading: θ_l = c · e_l. Where the slates' cascade fit (`fitCascade`, strata as `cascadeOf`) finds
 * readers stopping after clicks (stop ≥ 1 − `STOP_MATERIAL`), e is the cascade's reading with no
 * stop, each showing was read b (`readingGivenAbove`: what its slate's clicks above leave, with the
 * strata's attractions) and c = Σ rewards / Σ b; otherwise e is the exploration's experiments'
 * curve over every slot (`examinationCurve`) and c = Σ rewards / Σ shown · e — the model before
 * stops, exactly. Null when the slates carry no experiment.
 * Why: under cascade reading with clicks on most slates (long-tail with normal item quality: half
 * the readers stop after each click, one to two clicks a slate) a slot's worth is much the clicks
 * above it. A model by item and position alone is calibrated where the log shows the items and
 * extrapolates wherever a candidate moves them: replayed on kept runs (seeds 604–605, 8 real
 * candidates) it priced the candidates' exploited slates at 0.785–1.167 of their truth and the
 * gate's Δ̂ followed (mean absolute error 0.153 of the serving value, sign right 4 of 8). The
 * figures with stops: docs/learning-history.md (the twenty-seventh session).
 */
function readingModel(slates: readonly ModelSlate[], positions: number, versions?: readonly (string | null | undefined)[]): { theta: number[]; stop?: number; read?: number[][] } | null {
  const cells = slateCells(slates, versions);
  const e = examinationCurve(cells, positions);
  const cascade = cascadeOf(slates, versions);
  // A cascade where its stop is material and the clicks are likelier under it than under reading by position.
  if (cascade && cascadeTaken(cascade.slots, cascade.fit, e)) {
    const { reading, rates } = cascade.fit;
    // b per slot in position order, with the strata's attractions; back to input order.
    const b = cascade.ordered.map((o, j) => readingGivenAbove(reading, o.map((q) => rates.get(cascade.strata[j]![q]!)!), o.map((q) => slates[j]![q]!.reward > 0)));
    const inOrder = cascade.ordered.map((o, j) => {
      const out = new Array<number>(o.length);
      o.forEach((q, l) => (out[q] = b[j]![l]!));
      return out;
    });
    let reward = 0;
    let read = 0;
    slates.forEach((s, j) => s.forEach((it, q) => ((reward += it.reward), (read += inOrder[j]![q]!))));
    const c = read > 0 ? reward / read : 0;
    const theta = Array.from({ length: positions }, (_, l) => c * (reading.read[l] ?? reading.read.at(-1)!));
    return { theta, stop: reading.stop, read: inOrder.map((r) => r.map((x) => c * x)) };
  }
  return e ? { theta: scaled(e, cells) } : null;
}

/** c · e with c = Σ rewards / Σ shown · e over the cells: the curve in rewards. */
function scaled(e: readonly number[], cells: readonly ExaminationCell[]): number[] {
  let reward = 0;
  let expected = 0;
  for (const c of cells) {
    reward += c.rewarded;
    expected += c.shown * e[c.position]!;
  }
  const scale = expected > 0 ? reward / expected : 0;
  return e.map((x) => x * scale);
}

/**
 * The cascade fit of the slates (`fitCascade`), with each slate's slot order (by position) and
 * strata: what `slateCells` compares — the ranked list's rank (position less the explored slots
 * above) per logging version, or the version's pool. Null when the fit is.
 */
function cascadeOf(slates: readonly ModelSlate[], versions?: readonly (string | null | undefined)[]) {
  const ordered = slates.map((s) => s.map((_, q) => q).sort((x, y) => s[x]!.position - s[y]!.position));
  const strata = slates.map((s, j) => {
    const o = ordered[j]!;
    const ranks = slotRanks(o.map((q) => s[q]!));
    const out = new Array<string>(s.length);
    o.forEach((q, l) => (out[q] = stratumKey(versions?.[j] ?? undefined, ranks[l]!)));
    return out;
  });
  const slots = ordered.map((o, j) => o.map((q) => ({ stratum: strata[j]![q]!, clicked: slates[j]![q]!.reward > 0 })));
  const fit = fitCascade(slots);
  return fit ? { fit, ordered, strata, slots } : null;
}

/** Shape κ of every component of the lift mixture (`liftMixture`): about 16% wide. */
const LIFT_KAPPA = 40;
/** Component means of the lift mixture: log-spaced over [0.01, 100]. */
const LIFT_GRID = Array.from({ length: 60 }, (_, g) => 0.01 * Math.pow(1e4, g / 59));

/**
 * Posterior mean lifts under a prior learned from the items' own evidence: a mixture of narrow
 * Gammas (shape κ, means on a log grid) whose weights EM fits to the marginal (negative-binomial)
 * likelihood of every item's rewards C_i given its expected rewards E_i — the g-modelling the
 * batch tier's base appeal uses (`mixturePosteriors`, `shared/stats/grid-mixture.ts`), with the
 * gate's Poisson lifts for its Beta rates. Null with fewer than 20 items (too few to learn a shape).
 */
function liftMixture(items: ReadonlyArray<{ expected: number; reward: number }>): number[] | null {
  if (items.length < 20) return null;
  const G = LIFT_GRID.length;
  const k = LIFT_KAPPA;
  // ln NB(C | κ, γ_g E) up to terms that do not depend on g.
  const like = new Float64Array(items.length * G);
  items.forEach((s, i) => {
    for (let g = 0; g < G; g++) {
      const m = Math.max(LIFT_GRID[g]! * s.expected, 1e-12);
      like[i * G + g] = k * Math.log(k / (k + m)) + (s.reward > 0 ? s.reward * Math.log(m / (k + m)) : 0);
    }
  });
  const w = mixtureWeights(normaliseRows(like, G), G);
  return items.map((s, i) => {
    let num = 0;
    let den = 0;
    for (let g = 0; g < G; g++) {
      const r = w[g]! * like[i * G + g]!;
      num += (r * (k + s.reward)) / (k / LIFT_GRID[g]! + s.expected);
      den += r;
    }
    return den > 0 ? num / den : 1;
  });
}

/** ρ_ui of every (user, item) pair shown, shrunk toward the taste lift τ_ui (1 without a taste; see `fitItemPositionModel`). */
function pairLifts(slates: readonly ModelSlate[], users: readonly string[], read: readonly (readonly number[])[], theta: readonly number[], gamma: ReadonlyMap<string, number>, taste?: ItemPositionModel['taste']): Map<string, number> {
  const stats = new Map<string, { user: string; item: string; expected: number; reward: number }>();
  slates.forEach((s, j) => {
    for (const [q, it] of s.entries()) {
      const key = pairKey(users[j]!, it.item_id);
      let st = stats.get(key);
      if (!st) stats.set(key, (st = { user: users[j]!, item: it.item_id, expected: 0, reward: 0 }));
      // Expected reward of the pair if the user took the item as everyone does.
      st.expected += read[j]![q]! * gamma.get(it.item_id)!;
      st.reward += it.reward;
    }
  });
  const beta = liftStrength([...stats.values()], 1);
  const pairs = new Map<string, number>();
  for (const [key, st] of stats) {
    const tau = taste ? tasteLift({ taste, theta, gamma }, st.user, st.item) : 1;
    pairs.set(key, (st.reward + beta * tau) / (st.expected + beta));
  }
  return pairs;
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

/**
 * q̂(user, item, position) of a fitted model (no user: the item's; a pair it never saw: the item's
 * times the taste lift, 1 without a taste), with nothing clicked above.
 */
export function predictReward(model: ItemPositionModel, item: string, position: number, user?: string): number {
  const rho = user === undefined ? 1 : (model.pairs.get(pairKey(user, item)) ?? tasteLift(model, user, item));
  return (model.theta[position] ?? 0) * (model.gamma.get(item) ?? model.prior) * rho;
}

/**
 * q̂ of each slot of a logged slate (input order): `predictReward`, and where the model has a stop,
 * at the reading the slate's clicks above leave (`readingGivenAbove`, with the items' attractions).
 */
export function predictLogged(model: ItemPositionModel, slate: ModelSlate, user?: string): number[] {
  if (model.stop === undefined) return slate.map((it) => predictReward(model, it.item_id, it.position, user));
  const order = slate.map((_, q) => q).sort((x, y) => slate[x]!.position - slate[y]!.position);
  const top = model.theta[0] ?? 0;
  const reading = { read: model.theta.map((t) => (top > 0 ? t / top : 0)), stop: model.stop };
  const b = readingGivenAbove(reading, order.map((q) => attraction(model, slate[q]!.item_id, user)), order.map((q) => slate[q]!.reward > 0));
  const out = new Array<number>(slate.length);
  // θ_0 · b_l · γ_i (· the pair's lift): the item at the top, at the reading its slate's clicks above leave.
  order.forEach((q, l) => (out[q] = b[l]! * predictReward(model, slate[q]!.item_id, 0, user)));
  return out;
}

/**
 * A model's click chance for an item when read: θ_0 · γ_i (· the pair's lift), at most 1 — what a
 * slot takes off the reading below it where readers stop after clicks (`readOnValue`).
 */
export function attraction(model: ItemPositionModel, item: string, user?: string): number {
  return Math.min(1, predictReward(model, item, 0, user));
}

/** `attraction` from the item's q̂ at l (`predictReward`), which is θ_l times the rest: no second pricing where θ_l > 0. */
export function attractionFrom(model: ItemPositionModel, q: number, l: number, item: string, user?: string): number {
  const theta = model.theta[l] ?? 0;
  return theta > 0 ? Math.min(1, (q * model.theta[0]!) / theta) : attraction(model, item, user);
}

/**
 * A slate's model value from its value v_l at each position with nothing clicked above and its
 * expected attraction ā_l there (`attraction`, averaged over what the slate may show at l):
 * Σ_l m_l · v_l, m_0 = 1, m_{l+1} = m_l · (1 − stop · ā_l) — the cascade's reading, read on past
 * a slot unless it was clicked and the reader stopped. Exact for one fixed slate under the cascade
 * (the world suite's: reach_{l+1} = reach_l · (1 − stop · a_l) · e_{l+1}/e_l); for a random slate
 * the product of the means stands for the mean of the products. Without stops Σ_l v_l.
 */
export function readOnValue(model: Pick<ItemPositionModel, 'stop'>, values: readonly number[], attractions: readonly number[]): number {
  const stop = model.stop ?? 0;
  let reach = 1;
  let v = 0;
  values.forEach((x, l) => {
    v += reach * x;
    reach *= 1 - stop * (attractions[l] ?? 0);
  });
  return v;
}

/**
 * Two-fold cross-fitting: each slate is assigned a fold by a hash of its id, and gets the model
 * fitted on the other fold, so the doubly robust correction never uses a model that saw the same
 * rewards (which would shrink the residuals it corrects by and narrow the interval falsely). With a
 * user on every slate the models carry pair lifts, and with a version's taste, taste lifts
 * (`fitItemPositionModel`).
 * @returns the model to use for each slate, in input order
 */
export function crossFitModels(slates: ReadonlyArray<{ id: string; user?: string; version?: string | null; items: ModelSlate }>, prior: LiftPrior = DEFAULT_LIFT_PRIOR, taste?: PairTaste): ItemPositionModel[] {
  const fold = slates.map((s) => hash32(s.id) & 1);
  const withUsers = slates.length > 0 && slates.every((s) => s.user !== undefined);
  const fits = [0, 1].map((f) => {
    const part = slates.filter((_, i) => fold[i] !== f);
    return fitItemPositionModel(
      part.map((s) => s.items),
      prior,
      withUsers ? part.map((s) => s.user!) : undefined,
      withUsers ? taste : undefined,
      part.map((s) => s.version),
    );
  });
  return fold.map((f) => fits[f]!);
}

/**
 * A model's value of a slate distribution: Σ_l Σ_a P(a at l) · q̂(a, l), for a table of
 * per-position marginals (`slateMarginals`), with the reading the slate's own clicks leave where
 * the model has stops (`readOnValue`).
 */
export function tableValue(model: ItemPositionModel, table: ReadonlyArray<ReadonlyMap<string, number>>, user?: string): number {
  const values: number[] = [];
  const attractions: number[] = [];
  for (const [l, row] of table.entries()) {
    let v = 0;
    let a = 0;
    row.forEach((p, item) => {
      const q = predictReward(model, item, l, user);
      v += p * q;
      if (model.stop !== undefined) a += p * attractionFrom(model, q, l, item, user);
    });
    values.push(v);
    attractions.push(a);
  }
  return readOnValue(model, values, attractions);
}
