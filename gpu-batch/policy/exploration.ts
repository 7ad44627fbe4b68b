import { ucbIndex } from '../../shared/explore/ucb.js';
import { posteriorMeans, type BetaPosteriors } from './posteriors.js';
import { logit } from '../../shared/stats/logistic.js';

/** How far above its posterior mean an item's optimistic value is taken (posterior sds). */
export const POOL_Z = 2;

/** How many posterior sds above its mean a challenger's upper bound may reach for the bar (`challengerRows`). */
export const CHALLENGER_Z = 3;

/**
 * The exploration pool: the items that could plausibly win a place in the slate if we knew more.
 *
 * An item qualifies when its optimistic value u_i = mean_i + z · sd_i (`ucbIndex` of its Beta
 * posterior of reward per examination) reaches the posterior mean of the k-th best item — the bar
 * an item must clear to be shown to a user we know nothing about. The top k by mean are left out
 * (they are shown anyway) and the pool is capped (see Size). A new item starts at the prior, so it
 * qualifies until its own evidence says it cannot win; an item whose evidence pins it below the
 * bar leaves for good. So exploration spends its slots on the uncertain and the
 * promising, not on the long tail's known junk (a least-shown-first pool drew uniformly from
 * mostly junk: explored slots clicked at random's rate). In bootstrap every item qualifies:
 * nothing is known yet.
 *
 * Order: never-examined items first, newest first (`createdAt`); then the examined ones by
 * posterior mean — the challengers just below the bar, the likeliest to cross it with more
 * evidence — u_i breaking ties.
 * An item with no evidence at all is where a round of exploration buys the most information, and
 * ranking it by the prior's u_i put it behind every examined item that got lucky with a click or
 * two: in the long-tail world 36% of very good new items reached an exploited slot within 2
 * rounds, and 80–100% with unexamined items first (CTR ÷ oracle 0.44–0.69 over rounds 1–5 against
 * 0.40–0.68). Newest first, because in a large catalog thousands of items are never examined and
 * the cap admits a few dozen a round: in catalog order each round's new items waited behind the
 * old backlog (none of 50 very good new items was ever exploited). The old backlog still gets its
 * turn as newer items gain evidence.
 *
 * Evidence: an examined item stays only while its evidence is short of what exploration buys each
 * pool item (`evidence`: exposure_i · bar < clicks, the expected clicks it would have shown at the
 * winning bar — the target `explorationEpsilon` sizes ε for). Once it has had its share, whatever
 * its interval still allows, its slots go to items nobody has judged yet: a pool refilled every
 * round with the same 30 examined items spread ε over them and left 10 new items a fraction of it.
 * Discovery of very good new items within 2 rounds (rounds 3–5, 3 seeds, two runs): pbm-deep
 * 53–60% → 64–67% in both runs; drift 67–74% → 85–89% in one run and 67–78% in the other; ε falls
 * to 0.02–0.04 by round 4, CTR level or higher.
 *
 * Size: every never-examined item up to `max`; the examined ones fill the pool up to `base` (≤
 * `max`), and only the reserve (below) of them comes in when the new items alone reach it. A
 * slot spent on an item nobody has seen buys more than one spent on an item with evidence
 * already, and when items arrive faster than a fixed pool can test them the backlog must not
 * crowd them out: in the
 * large-catalog world (100 new items a round) a 40-item pool found 26% of the very good new
 * items within 2 rounds, a 100-item pool 51%. But a pool of 100 filled with examined items spread
 * the same ε so thin in the sparse world (16 new items a round) that discovery fell from 86% to
 * 38–58%: there the base of 40 holds.
 *
 * Reserve: a quarter of the base (`POOL_RESERVE`) stays open to examined items even when new items
 * alone fill the pool. Without it, in the large-catalog world (100 new items a round, all of
 * them pooled) an item got exactly one round of exploration, ~45 showings low in the slate: a very
 * good one that drew 2 clicks there sat at rank 13–33 with that evidence for every later round and
 * was never shown again (rounds 2–5 of three kept runs: 5–12 very good items qualified as
 * challengers each round, none had a place). Why by posterior mean and not by u_i: there the
 * challengers by u_i are the old backlog's one-click-in-three items (a mixture posterior that is
 * mostly junk with a little star mass, summarised by a wide Beta); among the 10 examined items
 * with the highest mean, 3–8 were very good new items each round from round 3, against 0–5 by
 * u_i.
 * @param opts.base pool size examined items fill up to when there are few new items; with it, a
 *   reserve of ⌈base/4⌉ places for examined items
 * @param k the slate length the bar is taken at
 * @param createdAt per item row, when the catalog says it was created (epoch ms; NaN = unknown,
 *   taken as oldest)
 * @param evidence per item row, its exposure (Σ θ over its showings), and the clicks at the
 *   winning bar that count as enough; absent: examined items qualify on their interval alone
 * @returns item rows, most optimistic first
 */
export function explorationPool(
  posteriors: BetaPosteriors,
  opts: { k: number; max: number; base?: number; bootstrap: boolean; z?: number; createdAt?: ArrayLike<number>; evidence?: { exposure: ArrayLike<number>; clicks: number } },
): number[] {
  const n = posteriors.alpha.length;
  const rows = Array.from({ length: n }, (_, i) => i);
  if (opts.bootstrap) return rows;
  const z = opts.z ?? POOL_Z;
  const { top, bar } = winningBar(posteriors, opts.k);
  const upper = Float64Array.from(rows, (i) => ucbIndex(posteriors.alpha[i]!, posteriors.beta[i]!, z));
  // An item never examined (new in the catalog) always qualifies: nothing says it cannot win.
  // (Without exposures, an item at the prior; new arrivals may carry a prior of their own.)
  const unseen = (i: number) => (opts.evidence ? !(opts.evidence.exposure[i]! > 0) : posteriors.alpha[i] === posteriors.prior.alpha && posteriors.beta[i] === posteriors.prior.beta);
  const created = (i: number) => createdOrOldest(opts.createdAt, i);
  const fresh = rows
    .filter((i) => !top.has(i) && unseen(i))
    .sort((a, b) => created(b) - created(a) || a - b)
    .slice(0, opts.max);
  const reserve = opts.base === undefined ? 0 : Math.ceil(Math.min(opts.base, opts.max) * POOL_RESERVE);
  const room = Math.max(reserve, Math.min(opts.base ?? opts.max, opts.max) - fresh.length);
  const short = (i: number) => !opts.evidence || opts.evidence.exposure[i]! * bar < opts.evidence.clicks;
  const mean = posteriorMeans(posteriors);
  const examined = rows
    .filter((i) => !top.has(i) && !unseen(i) && upper[i]! >= bar && short(i))
    .sort((a, b) => mean[b]! - mean[a]! || upper[b]! - upper[a]! || a - b)
    .slice(0, room);
  return [...fresh, ...examined];
}

/**
 * Share of the pool's base that examined challengers keep even when new items alone fill the pool
 * (the pool then holds up to `max` new items plus these).
 */
export const POOL_RESERVE = 0.25;

/**
 * The bar an item must clear to win a place in a slate for a user we know nothing about: the
 * posterior mean of the k-th best item, and the rows of the top k.
 */
export function winningBar(posteriors: BetaPosteriors, k: number): { top: Set<number>; bar: number } {
  const n = posteriors.alpha.length;
  const mean = posteriorMeans(posteriors);
  const byMean = Array.from({ length: n }, (_, i) => i).sort((a, b) => mean[b]! - mean[a]! || a - b);
  return { top: new Set(byMean.slice(0, k)), bar: n > 0 ? mean[byMean[Math.min(k, n) - 1]!]! : 0 };
}

/**
 * Epsilon of a surface: the share of slots that lets each pool item show whether it is a winner
 * before the next retrain, and no more.
 *
 *   ε = clamp(|pool| · n / S, ε_min, ε_max),  n = clicks / (p_bar · θ̄)
 *
 * with S the slots the surface serves between retrains (the serving version's traffic so far),
 * p_bar the reward rate per examination of the k-th best item (`winningBar`: what a winner clicks
 * at, at least), θ̄ the mean examination weight of the slots exploration uses, and `clicks` the
 * expected clicks a winner should show in a round (a few). As evidence resolves items, the pool
 * shrinks and ε with it; a larger audience explores a smaller share. Bootstrap (nothing served
 * yet) gives ε_max.
 * Earlier rules: ε = √(items·k/S), a coverage target that spent up to 58% of all slots on a
 * 1,500-item long tail; then n at the prior's mean rate p₀ instead of p_bar, which asked for
 * `clicks` from an average item — p_bar/p₀ times the evidence a winner needs — so ε sat at its
 * cap in every world and every round, even with 18 items left in the pool.
 */
export function explorationEpsilon(o: { pool: number; slots: number; winnerRate: number; meanExamination: number; clicks: number; min: number; max: number; bootstrap: boolean }): number {
  if (o.bootstrap || o.slots <= 0) return o.max;
  const perItem = o.clicks / (Math.max(o.winnerRate, 1e-4) * Math.max(o.meanExamination, 0.05));
  const e = (o.pool * perItem) / o.slots;
  return Math.round(Math.min(o.max, Math.max(o.min, e)) * 1e4) / 1e4;
}

/**
 * Per-position multipliers of epsilon that rise down the slate, w_i = 2(i + 1)/(k + 1) (mean 1
 * over k positions): a slot low in the slate is examined less, so an explored miss there costs
 * little, while the top slots — where most clicks happen — mostly show the best known items.
 * Every position keeps some exploration, so examination by position stays estimable from the
 * shifts and draws it makes (`examinationCurve`).
 */
export function rampWeights(k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.round(((2 * (i + 1)) / (k + 1)) * 1e4) / 1e4);
}

/** Mean examination weight θ of explored slots under epsilon weights w over k positions. */
export function meanExplorationExamination(theta: readonly number[], weights: readonly number[] | null, k: number): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++) {
    const w = weights ? (weights[Math.min(i, weights.length - 1)] ?? 1) : 1;
    num += w * (theta[i] ?? theta[theta.length - 1] ?? 1);
    den += w;
  }
  return den > 0 ? num / den : 1;
}

/**
 * What known users' cached candidates rank by in place of logit(base appeal): logit(mean + z · sd)
 * of each item's posterior (`ucbIndex`), to which λ · taste is added (`servingParams`); the
 * challengers (`challengerRows`) at least at the bar (a hair below it: `CHALLENGER_GAP`).
 *
 * Why: the exploration pool gives an examined item one share of evidence (`explorationPool`), and
 * after it an item just below the bar is shown only where a personal list puts it — by its mean,
 * rarely, so an unlucky share can bury a good item for good. Optimism spends the doubt where the
 * user's own taste already points: a thinly evidenced item rises in the lists of users who should
 * like it, in exploited slots, while an item with thousands of showings (sd ≈ 0) keeps its place.
 * The lists stay deterministic, so propensities stay exact, and the deploy gate values them as
 * served. The popularity list (strangers) and the wasm step's base column keep the mean.
 * z is off by default (`--optimism 0`): at z = 1 on every item it found more very good new items in
 * every world family but lost CTR in the sparse and large-catalog ones, where one sd lifted
 * hundreds of thin items (figures: docs/architecture.md, "Optimism in known users' lists"); the
 * challengers are its budgeted form.
 * @param z posterior sds of optimism for every item (0: the mean)
 * @param challengers rows that rank at least at `bar` (the k-th best mean), null: none
 */
export function optimisticBase(posteriors: BetaPosteriors, z: number, challengers: { rows: ReadonlySet<number>; bar: number } | null = null): Float64Array {
  const atBar = challengers ? logit(challengers.bar) - CHALLENGER_GAP : 0;
  return Float64Array.from(posteriors.alpha, (a, i) => {
    const u = logit(ucbIndex(a, posteriors.beta[i]!, z));
    return challengers?.rows.has(i) ? Math.max(u, atBar) : u;
  });
}

/**
 * How far below the bar a challenger ranks (logit units): a hair, so that ties go to the k-th
 * best item and a challenger enters a user's list only where that user's taste for it beats the
 * k-th item's. Exactly at the bar, a list without taste (λ = 0 and no content profile: every
 * early round of the large catalog) broke the tie by item row — the same for every user — and in
 * one kept run (large catalog, seed 522, round 2) a junk challenger took the tenth slot of every
 * known user's list: those lists were worth 0.92 of the version's own list for strangers.
 */
export const CHALLENGER_GAP = 1e-4;

/**
 * The challengers of known users' lists: examined items outside the top k by mean whose upper
 * bound (`CHALLENGER_Z` sds) still reaches the bar, newest first by the catalog's `created_at`,
 * then by (mean − bar)/sd — the posterior's z-score against the bar, the chance of clearing it —,
 * the first `budget` of them. `optimisticBase` ranks them at the bar (a hair below: ties go to
 * the k-th best item), and the user's taste decides whether it enters that user's list
 * (exploited slots, lists still deterministic: exact propensities).
 *
 * Why (pbm-deep runs, docs/architecture.md "Challengers"): after its one share of exploration
 * (25–40 units of exposure) a very good new item that drew few clicks sat at 0.45–0.7 of the bar
 * by its mean, posterior rank 57–159, and no list showed it again; every very good item that was
 * a challenger reached exploited slots the next round. Why newest first: ranked by z-score alone
 * the budget went to old items with 15–25 units of exposure left from the uniform bootstrap round.
 * Why 3 sds: at 2 the missed ones' upper bounds stayed under the bar (0.23–0.32 against bars
 * of 0.24–0.38). Why a budget and the bar, not optimism on every item: one sd on every item
 * lifted hundreds of mediocre thin ones into users' top 10 in a 12,000-item catalog, and uncapped
 * (z = 2 on the ten best challengers by mean), right after the uniform bootstrap round — every
 * item thin — the challengers jumped above the top ten in every known user's list (pbm-deep
 * round 1: 0.41 and 0.33 of the oracle against the most-clicked list's 0.50 and 0.40).
 * Never-examined items are exploration's (the pool), not the challengers'.
 * @param budget how many challengers (0: none)
 * @returns the challenger rows and the bar
 */
export function challengerRows(
  posteriors: BetaPosteriors,
  o: { k: number; budget: number; exposure: ArrayLike<number>; createdAt?: ArrayLike<number> },
): { rows: Set<number>; bar: number } | null {
  if (o.budget <= 0) return null;
  const { top, bar } = winningBar(posteriors, o.k);
  const mean = posteriorMeans(posteriors);
  const score = Float64Array.from(mean, (m, i) => (m - bar) / Math.max(1e-12, ucbIndex(posteriors.alpha[i]!, posteriors.beta[i]!, 1) - m));
  const created = (i: number) => createdOrOldest(o.createdAt, i);
  const rows = Array.from({ length: mean.length }, (_, i) => i)
    .filter((i) => !top.has(i) && o.exposure[i]! > 0 && ucbIndex(posteriors.alpha[i]!, posteriors.beta[i]!, CHALLENGER_Z) >= bar)
    .sort((a, b) => created(b) - created(a) || score[b]! - score[a]! || a - b);
  return { rows: new Set(rows.slice(0, o.budget)), bar };
}

/** An item row's catalog `created_at` (epoch ms) for newest-first orders; unknown counts as oldest. */
function createdOrOldest(createdAt: ArrayLike<number> | undefined, i: number): number {
  const t = createdAt?.[i];
  return t === undefined || Number.isNaN(t) ? -Infinity : t;
}
