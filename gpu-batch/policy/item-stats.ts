import { cascadeTaken, fitCascade, readingGivenAbove, STOP_MATERIAL, type CascadeReading } from '../../shared/ope/cascade-reading.js';
import { examinationCurve, positionWeights, slotRanks, stratumKey, type ExaminationCell } from '../../shared/ope/examination.js';
import { MAX_ABOVE, type ItemPositionRow, type SlateSlots } from '../dataset/read-dataset.js';

/** Per-item totals (arrays indexed by item row). */
export interface ItemStats {
  impressions: Float64Array;
  rewarded: Float64Array;
  reward: Float64Array;
  /** Σ over showings of θ_position: expected examinations. */
  exposure: Float64Array;
}

/**
 * Sums the per-(item, position) rows into per-item totals, weighting exposure by θ_position and,
 * where given, by the stop factor of the rewarded slots above (`stopFactors`).
 * @param stop examination multipliers by rewarded slots above (index `above`; absent: no stops)
 */
export function itemStats(rows: readonly ItemPositionRow[], nItems: number, theta: readonly number[], stop?: readonly number[]): ItemStats {
  const s: ItemStats = { impressions: new Float64Array(nItems), rewarded: new Float64Array(nItems), reward: new Float64Array(nItems), exposure: new Float64Array(nItems) };
  const last = theta.length ? theta[theta.length - 1]! : 1;
  for (const r of rows) {
    s.impressions[r.item]! += r.shown;
    s.rewarded[r.item]! += r.rewarded;
    s.reward[r.item]! += r.reward;
    s.exposure[r.item]! += r.shown * (theta[r.position] ?? last) * stopFactor(stop, r);
  }
  return s;
}

/** A row's index into the stop factors: its rewarded slots above, capped at `MAX_ABOVE`. */
function aboveOf(r: ItemPositionRow): number {
  return Math.min(r.above ?? 0, MAX_ABOVE);
}

function stopFactor(stop: readonly number[] | undefined, r: ItemPositionRow): number {
  return stop?.[aboveOf(r)] ?? 1;
}

/**
 * How much a click above takes off reading: examination multipliers ρ_a for showings with a
 * rewarded slots above them in the slate (ρ_0 = 1; a counts up to `MAX_ABOVE`), in the model
 *   E[clicks of item i at p with a clicks above] = shown · θ_p · ρ_a · r_i,
 * fitted by alternating maximisation (Poisson likelihood) with each item its own stratum:
 *   r_i ← clicks_i / Σ shown θ_p ρ_a,   ρ_a ← Σ_{above = a} clicks / Σ_{above = a} shown θ_p r_i,
 * ρ kept in [0.05, ρ_{a−1}] (a second click above never adds reading); an a with fewer than
 * `minClicks` clicks keeps the factor below it. θ must be reading with nothing clicked above
 * (`readExaminationCells`' `clearAbove`).
 *
 * Why: a reader who stops after a click (cascade-like reading) examines less below a clicked slot.
 * A curve by position alone averages that over slates, so an item that usually sits under what its
 * users click had its examinations counted twice or more: in the long-tail world (cascade, half the
 * readers stop after a click; kept run, seed 551, round 5) item-01542, truly 0.34 per reading and
 * shown mostly at positions 5–8 under 0.93 clicks on average, had 860 examinations by the curve
 * against 397 by the world's own reading, and base appeal 0.18. Where reading does not depend on
 * clicks (position-based) the ratio still comes out a little under 1 (0.83–1.0 in closed-loop
 * runs), a confound of who clicks, not a stop; `examinationWeights` takes it only at or below
 * `STOP_MATERIAL`.
 * @param theta reading by position with nothing clicked above
 * @returns [1, ρ_1, …, ρ_MAX_ABOVE]
 */
export function stopFactors(rows: readonly ItemPositionRow[], nItems: number, theta: readonly number[], iterations = 30, minClicks = 100): number[] {
  const last = theta.length ? theta[theta.length - 1]! : 1;
  const th = (p: number) => theta[p] ?? last;
  const clicksAt = new Float64Array(MAX_ABOVE + 1);
  const clicksOf = new Float64Array(nItems);
  for (const r of rows) {
    clicksAt[aboveOf(r)]! += r.rewarded;
    clicksOf[r.item]! += r.rewarded;
  }
  let rho = Array.from({ length: MAX_ABOVE + 1 }, () => 1);
  for (let it = 0; it < iterations; it++) {
    const exposure = new Float64Array(nItems);
    for (const r of rows) exposure[r.item]! += r.shown * th(r.position) * rho[aboveOf(r)]!;
    const den = new Float64Array(MAX_ABOVE + 1);
    for (const r of rows) if (exposure[r.item]! > 0) den[aboveOf(r)]! += (r.shown * th(r.position) * clicksOf[r.item]!) / exposure[r.item]!;
    const next = [1];
    for (let a = 1; a <= MAX_ABOVE; a++) next.push(clicksAt[a]! >= minClicks && den[a]! > 0 ? Math.min(next[a - 1]!, Math.max(0.05, clicksAt[a]! / den[a]!)) : next[a - 1]!);
    const change = Math.max(...next.map((x, a) => Math.abs(x - rho[a]!)));
    rho = next;
    if (change < 1e-6) break;
  }
  return rho.map((x) => Math.round(x * 1e4) / 1e4);
}

/**
 * Examination weights θ per position for base appeal: the deploy gate's curve
 * (`examinationCurve`: what the exploration's shifts and pool draws say of reading, per logging
 * version), or, when the logs carry no such experiment, the fit over every showing
 * (`positionWeightsAll`). Where a click above takes a material share of reading (`stopFactors` at
 * or below `STOP_MATERIAL`: readers who stop after a click), θ is that curve over the slots with
 * nothing clicked above and each showing counts θ_p · ρ_above; otherwise the curve of every slot
 * and no stop.
 *
 * Why the experiments' curve: every showing fitted together confounds position with liking — a
 * personalised list shows an item high to the users who like it most — so that curve fell faster
 * than reading (position 9: 0.19–0.25 of the top in kept large-catalog and drift runs, truly 0.29),
 * an item shown mostly low looked that much better per reading, and the more so the narrower its
 * fans: on kept runs of every world family (seeds 531–532, 541; rounds 3–5) base appeal by that
 * curve stood 1.0–1.4× the truth for the true top 10 (median 1.3) and 1.3–2.2× for items ranked
 * 30–100, and its top-10 list was worth 0.78–0.96 of the best list. With the experiments' curve
 * the same counts read 0.93–1.25× for the top 10, and the list was worth 1.5 points more on
 * average of 17 seed-rounds (−2.0 to +6.4: long-tail round 3 0.838 → 0.902, large-catalog 0.905 →
 * 0.925, pbm-deep 0.955 → 0.984; one sparse round 0.962 → 0.942). In the closed loop, round 5
 * came out level within run noise (docs/architecture.md, "Examination by position"). An earlier
 * trial of the gate's curve here (before its strata were per logging version and it was fitted to
 * convergence: pooled, it came out flat, 0.48 at position 9) lowered long-tail and large-catalog
 * round 5 on every seed.
 */
export function examinationWeights(cells: { all: readonly ExaminationCell[]; clearAbove: readonly ExaminationCell[] }, rows: readonly ItemPositionRow[], nItems: number, positions: number, slates?: SlateSlots): Examination {
  const clear = readingCurve(cells.clearAbove, rows.filter((r) => !r.above), nItems, positions);
  const stop = stopFactors(rows, nItems, clear.theta);
  const cascade = slates ? cascadeExamination(slates, nItems, positions, examinationCurve(cells.all, positions)) : null;
  if (cascade) return { theta: Array.from({ length: positions }, (_, l) => cascade.fit.read[l] ?? cascade.fit.read.at(-1)!), stop: stop.map(() => 1), fittedStop: stop, reading: cascade.reading, source: 'cascade', exposure: cascade.exposure, cascade: cascade.fit };
  if (stop[1]! <= STOP_MATERIAL) return { theta: clear.theta, stop, fittedStop: stop, reading: meanReading(rows, clear.theta, stop, positions), source: clear.source };
  const all = readingCurve(cells.all, rows, nItems, positions);
  return { theta: all.theta, stop: stop.map(() => 1), fittedStop: stop, reading: all.theta, source: all.source };
}

/**
 * Base appeal's exposures under a cascade: the slates' cascade fit (`fitCascade`, strata as the
 * deploy gate's: rank per logging version, or the pool), taken by the gate's rule (`cascadeTaken`,
 * against reading by position with the experiments' curve `curve`); then each showing counts the
 * reading its slate's clicks above leave (`readingGivenAbove`, with the strata's attractions) and
 * an item's exposure is the sum over its showings.
 * Why, over the curve of slots with nothing clicked above and a factor per click above
 * (`stopFactors`): no click above is itself evidence the reader left, so that curve falls faster
 * than reading — and on the logs of a trained ranking it often has too few shifted clicks to be
 * the experiments' curve at all and falls back to the fit with items as strata
 * (`positionWeightsAll`), which went to its floor of 0.05 from position 5 in kept runs of the
 * long-tail world with normal item quality (the world read 0.36 there), so an item shown low was
 * read 7× better per examination than it was. The cascade's curve came out within 0.01–0.02 of the
 * world's at every position. Measured on the same kept runs (seeds 606–607, rounds 2–5, base appeal
 * recomputed from each round's logs and its top 10 valued by the world): the list for strangers
 * 0.928 (0.870–0.994) of the best list → 0.945 (0.848–0.987), as good as exposures read with the
 * world's own reading (0.947); docs/learning-history.md, the twenty-eighth session.
 * @param curve reading by position from the experiments (`examinationCurve`), null when none
 * @param maxFit slates the fit reads at most (`CASCADE_FIT_SLATES`)
 * @returns null where the cascade is not taken (position-based reading, or nothing to fit)
 */
export function cascadeExamination(slates: SlateSlots, nItems: number, positions: number, curve: readonly number[] | null, maxFit = CASCADE_FIT_SLATES): { exposure: Float64Array; reading: number[]; fit: CascadeReading } | null {
  const slots = slates.slots.map((s) => {
    const ranks = slotRanks(s.map((x, l) => ({ position: l, explored: x.explored })));
    return s.map((x, l) => ({ stratum: stratumKey(x.version, ranks[l]!), clicked: x.clicked }));
  });
  // The fit on every step-th slate (impression ids are random: an even sample); every slate still counts.
  const step = Math.ceil(slots.length / maxFit);
  const sample = step > 1 ? slots.filter((_, j) => j % step === 0) : slots;
  const fit = fitCascade(sample);
  if (!fit || !cascadeTaken(sample, fit, curve)) return null;
  // A stratum the sample missed (a rare rank of an old version) reads at the strata's mean attraction.
  let meanRate = 0;
  for (const r of fit.rates.values()) meanRate += r / fit.rates.size;
  const exposure = new Float64Array(nItems);
  const sum = new Float64Array(positions);
  const shown = new Float64Array(positions);
  slots.forEach((s, j) => {
    const b = readingGivenAbove(fit.reading, s.map((x) => fit.rates.get(x.stratum) ?? meanRate), s.map((x) => x.clicked));
    b.forEach((x, l) => {
      const item = slates.items[j]![l]!;
      if (item >= 0) exposure[item]! += x;
      if (l >= positions) return;
      sum[l]! += x;
      shown[l]!++;
    });
  });
  const reading = Array.from(sum, (x, l) => (shown[l]! > 0 ? Math.round((x / shown[l]!) * 1e4) / 1e4 : (fit.reading.read[l] ?? 0)));
  return { exposure, reading, fit: fit.reading };
}

/**
 * Slates the cascade fit reads at most (`cascadeExamination`): beyond it, an even sample of the
 * window, and every slate of the window still gets its exposure from the fit. The EM costs about
 * 0.7 s per 10,000 slates of 10 and runs twice a batch run (about 14 s at the cap). Its few
 * parameters (a reading per position, a stop, an attraction per stratum) need far fewer slates
 * than items do: fitted on 20,000 of 60,000 seeded cascade slates, the five best items' rates
 * stayed within 2.8% of the truth (1.7% fitted on all 60,000).
 */
export const CASCADE_FIT_SLATES = 100_000;

/** Per-item totals for base appeal under the examination `ex`: its cascade exposures where it took the cascade, else θ_position · ρ_above per showing (`itemStats`). */
export function examinedStats(rows: readonly ItemPositionRow[], nItems: number, ex: Examination): ItemStats {
  const s = itemStats(rows, nItems, ex.theta, ex.stop);
  return ex.exposure ? { ...s, exposure: ex.exposure } : s;
}

/** The experiments' curve (`examinationCurve`) from these cells, or the fit over these rows when they hold no experiment. */
function readingCurve(cells: readonly ExaminationCell[], rows: readonly ItemPositionRow[], nItems: number, positions: number): { theta: number[]; source: Examination['source'] } {
  const shifted = cells.reduce((a, c) => a + (c.rank !== null && c.rank !== c.position ? c.rewarded : 0), 0);
  const curve = shifted >= MIN_SHIFTED_CLICKS ? examinationCurve(cells, positions) : null;
  return curve ? { theta: curve, source: 'experiments' } : { theta: positionWeightsAll(rows, nItems, positions), source: 'all-showings' };
}

/** Reading by position (`examinationWeights`). */
export interface Examination {
  /** θ_p: reading at each position with nothing clicked above (base appeal's weights, with `stop`) */
  theta: number[];
  /** ρ_a: what a rewarded slots above leave of it, as base appeal counts it (all 1 unless material) */
  stop: number[];
  /** ρ_a as fitted (`stopFactors`), taken or not */
  fittedStop: number[];
  /** Mean reading at each position over the logged slates, clicks above and all: Σ shown θ_p ρ_a / Σ shown */
  reading: number[];
  source: 'experiments' | 'all-showings' | 'cascade';
  /** Per-item exposures where the cascade was taken (`cascadeExamination`); they replace θ · ρ. */
  exposure?: Float64Array;
  /** The cascade's reading and stop, where taken. */
  cascade?: CascadeReading;
}

/** Mean of θ_p · ρ_above over the showings at each position (θ_p where none). */
export function meanReading(rows: readonly ItemPositionRow[], theta: readonly number[], stop: readonly number[], positions: number): number[] {
  const num = new Float64Array(positions);
  const den = new Float64Array(positions);
  for (const r of rows) {
    if (r.position >= positions) continue;
    num[r.position]! += r.shown * theta[r.position]! * stopFactor(stop, r);
    den[r.position]! += r.shown;
  }
  return theta.map((t, p) => (den[p]! > 0 ? Math.round((num[p]! / den[p]!) * 1e4) / 1e4 : t));
}

/**
 * Clicks on ranked items that exploration shifted down (rank ≠ position) below which base appeal
 * keeps the fit over every showing (`examinationWeights`). The shifts are what tie a ranking's
 * positions together; without them the curve rests on the pool's draws alone, one stratum per
 * version. That is the first trained version's case: its logs are the bootstrap round's, every
 * slot a uniform draw, where position says nothing of liking and the fit over every showing, with
 * each item a stratum of its own, is the sharper of two unbiased estimates (the large catalog's
 * bootstrap round held 90 clicks in all).
 */
export const MIN_SHIFTED_CLICKS = 200;

/**
 * Examination weights θ from every showing, not only explored ones: the position-based model
 * E[clicks of item i at p] = shown_ip · θ_p · r_i fitted by alternating maximisation (Poisson
 * likelihood), starting from the explored-slot estimate (`positionWeights`):
 *   r_i ← clicks_i / Σ_p shown_ip θ_p,   θ_p ← Σ_i clicks_ip / Σ_i shown_ip r_i,   θ ← θ / θ_0,
 * θ kept in [0.05, 1]. An item seen at several positions (explored low, exploited high, another
 * user's ranking) ties the positions together, so θ no longer rests on the few explored slots
 * high in the slate, where ramped exploration rarely goes. Items seen at one position only fit
 * their r_i and leave θ alone. Positions with fewer than `minShown` showings keep the start value.
 * The fallback of `examinationWeights` when the logs carry no exploration experiment: it falls
 * faster than reading, since a personalised ranking shows an item high to those who like it.
 * @param rows per (item, position) counts, explored or not
 */
export function positionWeightsAll(rows: readonly ItemPositionRow[], nItems: number, positions: number, iterations = 30, minShown = 200): number[] {
  let theta = positionWeights(rows, positions);
  const shownAt = new Float64Array(positions);
  for (const r of rows) if (r.position < positions) shownAt[r.position]! += r.shown;
  const clicksOf = new Float64Array(nItems);
  for (const r of rows) if (r.position < positions) clicksOf[r.item]! += r.rewarded;
  for (let it = 0; it < iterations; it++) {
    const exposure = new Float64Array(nItems);
    for (const r of rows) if (r.position < positions) exposure[r.item]! += r.shown * theta[r.position]!;
    const rate = Float64Array.from(exposure, (e, i) => (e > 0 ? clicksOf[i]! / e : 0));
    const num = new Float64Array(positions);
    const den = new Float64Array(positions);
    for (const r of rows) {
      if (r.position >= positions) continue;
      num[r.position]! += r.rewarded;
      den[r.position]! += r.shown * rate[r.item]!;
    }
    const raw = theta.map((t, p) => (shownAt[p]! >= minShown && den[p]! > 0 ? num[p]! / den[p]! : t));
    const top = raw[0]! > 0 ? raw[0]! : 1;
    theta = raw.map((t, p) => (p === 0 ? 1 : Math.min(1, Math.max(0.05, t / top))));
  }
  return theta;
}
