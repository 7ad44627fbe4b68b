/**
 * Showings of one cell of logged slates: a position, and the stratum of what was shown there —
 * the ranked list's item of rank `rank`, or (null) an item the exploration pool put there.
 */
export interface ExaminationCell {
  position: number;
  /**
   * The logging policy's version, when the slates say: ranks and pools are strata within one
   * version only (see `examinationCurve`); absent, all slates form one.
   */
  version?: string;
  /**
   * The exploited item's rank in the ranked list: its position minus the explored slots above it
   * (epsilon-greedy shifts exploited items down past explored ones); null for an explored slot.
   */
  rank: number | null;
  shown: number;
  /** Summed reward of those showings. */
  rewarded: number;
}

/** A logged slot as `slateCells` reads it. */
export interface CellSlot {
  position: number;
  explored?: boolean;
  reward: number;
}

/**
 * Each slot's stratum within its logging version, for slots in position order: the ranked list's
 * rank (its position less the explored slots above it; `ExaminationCell.rank`), or null for an
 * explored slot (the pool).
 */
export function slotRanks(slots: ReadonlyArray<{ position: number; explored?: boolean }>): (number | null)[] {
  let explored = 0;
  return slots.map((it) => (it.explored ? (explored++, null) : it.position - explored));
}

/** A stratum's key (`examinationCurve`): one rank, or the pool, of one logging version. */
export function stratumKey(version: string | undefined, rank: number | null): string {
  return `${version ?? ''}\n${rank}`;
}

/**
 * Every slate's slots counted into `ExaminationCell`s (explored slots: rank null).
 * @param versions the logging policy's version of each slate (same order), when known
 * @param o.clearAbove only slots with no rewarded slot above them: reading before any click
 *   (the batch tier's base appeal; `stopFactors`)
 */
export function slateCells(slates: Iterable<Iterable<CellSlot>>, versions?: readonly (string | null | undefined)[], o: { clearAbove?: boolean } = {}): ExaminationCell[] {
  const cells = new Map<string, ExaminationCell>();
  let j = 0;
  for (const s of slates) {
    const version = versions?.[j++] ?? undefined;
    let clicked = false;
    const sorted = [...s].sort((a, b) => a.position - b.position);
    const ranks = slotRanks(sorted);
    for (const [q, it] of sorted.entries()) {
      const rank = ranks[q]!;
      const skip = o.clearAbove && clicked;
      if (it.reward > 0) clicked = true;
      if (skip) continue;
      const key = `${stratumKey(version, rank)}:${it.position}`;
      let c = cells.get(key);
      if (!c) cells.set(key, (c = { position: it.position, rank, shown: 0, rewarded: 0, ...(version === undefined ? {} : { version }) }));
      c.shown++;
      c.rewarded += it.reward;
    }
  }
  return [...cells.values()];
}

/**
 * Examination weight θ_p per position (θ_0 = 1) under the position-based click model
 * P(click | item at p) = θ_p · r_item, from the randomised experiments epsilon-greedy runs anyway:
 * - an exploited item of rank t lands at position t + (explored slots above it), a count drawn by
 *   the exploration coins, independent of the user and the item; so within one rank the reward
 *   at each position is θ_p · (the same mean r_t), and comparing positions compares reading;
 * - an explored slot's item is a uniform draw from the pool, whatever the position: one more
 *   stratum whose mean r is the pool's.
 * θ and the strata's rates are fitted together by Poisson maximum likelihood (alternating:
 * r_s ← Σ rewards_s / Σ shown_sp θ_p, θ_p ← Σ rewards_p / Σ shown_sp r_s, θ ← θ / θ_0) until no θ
 * moves by more than `tolerance` (at most `maxIterations` rounds), then kept in [0.05, 1]; a
 * position no slate reached takes the θ of the one above it. Why to convergence: the design is
 * weakly connected — a rank sits at its own position unless an explored slot lands above it, and
 * ramped exploration rarely explores the top — so the alternation creeps from its flat start,
 * and after the 100 rounds it used to stop at, a large-catalog curve fitted per version on the
 * world's exact expected clicks read 0.38 of the top's reading at position 9 (truly 0.29);
 * converged, 0.29 (about 1,000 rounds; each costs strata × positions operations).
 *
 * The deploy gate's curve, and the batch tier's for base appeal (`examinationWeights`, when the
 * logs hold enough shifted ranks; its cells come from `readExaminationCells`, the same ranks as
 * `slateCells` counted in DuckDB). Why not the explored slots alone (the gate's before,
 * `positionWeights`): in a large catalog the pool is mostly junk — 0.3% of explored slots clicked, ≈ 20 clicks a
 * position in 20,000 slates — and that curve was noise (a large-catalog run: 0.93 of the top's
 * reading at position 8, truly 0.30). Why not every showing with items as strata (the batch
 * tier's fallback, `positionWeightsAll`): a personalised ranking shows an item high to the users
 * who like it most and low to the others, so an item's showings at different positions are not comparable;
 * that curve fell too fast (0.45–0.57 at position 1, truly 0.63). Ranks are comparable: which
 * rank lands where is a coin. On kept runs of the four position-based world families (round 4)
 * the fitted curve came within 0.08 of the true one at every position, 0.15 in one large-catalog
 * run (docs/architecture.md). Limit: under cascade clicks a click above also stops the reading,
 * which a shift past an (unclicked) explored slot does not show; the curve is the reading alone
 * (base appeal fits that stop apart, `stopFactors`; the gate's reward model fits the cascade,
 * `fitCascade`, and takes this curve only where it finds no stop).
 * Only epsilon-greedy's marks carry this design (softmax and Thompson mark an item off their greedy
 * order): readers keep marks only where `exploredAsPoolDraw` says so.
 * Strata are per logging version (`ExaminationCell.version`): each version has its own ranked
 * lists, pool and exploration ramp, so one rank (or the pool) pooled over versions is not one mean
 * r. Pooled, a large catalog's uniform bootstrap round (a pool of junk at every position) beside
 * trained rounds (better pools, explored mostly low in the slate) made explored items look better
 * the lower they sat, and the curve came out flat even when fitted to convergence on the world's
 * exact expected clicks (position 9: 0.48 of the top, truly 0.29; per version 0.30 — a kept
 * large-catalog run, round 4), so the gate priced moving good items to the top below its worth.
 * @returns θ per position, or null when no stratum was rewarded at two positions (no explored
 *   marks, or too little data): the caller decides what θ it falls back on
 */
export function examinationCurve(cells: Iterable<ExaminationCell>, positions: number, maxIterations = 20_000, tolerance = 1e-7): number[] | null {
  const strata = new Map<string, { shown: Float64Array; rewarded: Float64Array }>();
  for (const c of cells) {
    if (c.position >= positions || c.shown <= 0) continue;
    const key = stratumKey(c.version, c.rank);
    let s = strata.get(key);
    if (!s) strata.set(key, (s = { shown: new Float64Array(positions), rewarded: new Float64Array(positions) }));
    s.shown[c.position]! += c.shown;
    s.rewarded[c.position]! += c.rewarded;
  }
  const rows = [...strata.values()];
  const informative = rows.some((s) => s.rewarded.filter((r) => r > 0).length >= 2);
  if (!informative) return null;
  const shownAt = new Float64Array(positions);
  const rewardedAt = new Float64Array(positions);
  for (const s of rows) {
    for (let p = 0; p < positions; p++) {
      shownAt[p]! += s.shown[p]!;
      rewardedAt[p]! += s.rewarded[p]!;
    }
  }
  if (!(rewardedAt[0]! > 0)) return null;
  let theta = new Array<number>(positions).fill(1);
  const rate = new Float64Array(rows.length);
  for (let it = 0; it < maxIterations; it++) {
    rows.forEach((s, k) => {
      let reward = 0;
      let exposure = 0;
      for (let p = 0; p < positions; p++) {
        reward += s.rewarded[p]!;
        exposure += s.shown[p]! * theta[p]!;
      }
      rate[k] = exposure > 0 ? reward / exposure : 0;
    });
    const raw = theta.map((t, p) => {
      let exposure = 0;
      rows.forEach((s, k) => (exposure += s.shown[p]! * rate[k]!));
      return exposure > 0 ? rewardedAt[p]! / exposure : t;
    });
    const next = raw.map((t) => t / raw[0]!);
    const moved = next.reduce((m, t, p) => Math.max(m, Math.abs(t - theta[p]!)), 0);
    theta = next;
    if (moved < tolerance) break;
  }
  for (let p = 1; p < positions; p++) theta[p] = shownAt[p]! > 0 ? Math.min(1, Math.max(0.05, theta[p]!)) : theta[p - 1]!;
  return theta;
}

/** Showings of one (position, explored) cell: how many, and the reward they earned. */
export interface PositionCell {
  position: number;
  explored: boolean;
  shown: number;
  /** Rewarded showings (the batch tier) or summed reward (the gate's reward model). */
  rewarded: number;
}

/**
 * Examination weight per position under the position-based click model
 * P(click | item i at position p) = θ_p · r_i, estimated from explored slots alone.
 *
 * Why it is identifiable there: explored slots are filled by a uniform draw from the pool, so the
 * item in an explored slot is independent of its position, and the explored CTR at p is
 * θ_p · E[r]. Hence θ_p = CTR_p / CTR_0. Each CTR is shrunk toward the overall explored CTR with
 * `m` pseudo-showings so a thinly observed position stays near 1·, and θ is kept in [0.05, 1] (a
 * position is never examined more than the top one, never not at all). Without explored data
 * every θ is 1 (no debiasing).
 *
 * The batch tier's start for its fit over every showing (`positionWeightsAll`); the deploy gate
 * reads `examinationCurve`, which also uses the ranks exploration shifts. Exploited slots as such
 * cannot give θ: the mean reward at a position mixes how often it is read with how good the items
 * a ranking puts there are. Under a trained policy the top holds the best
 * items, so the mean reward falls down the slate faster than reading does (in the pbm-deep world,
 * 0.06 of the top's at position 9 where the reading is 0.13), and an item explored low in the
 * slate looks that much better per reading than it is.
 * @param rows per (position, explored) showing counts; rows of other positions are ignored
 * @param positions how many positions to return
 */
export function positionWeights(rows: Iterable<PositionCell>, positions: number, m = 200): number[] {
  const shown = new Float64Array(positions);
  const rewarded = new Float64Array(positions);
  for (const r of rows) {
    if (!r.explored || r.position >= positions) continue;
    shown[r.position]! += r.shown;
    rewarded[r.position]! += r.rewarded;
  }
  const totalShown = shown.reduce((a, b) => a + b, 0);
  const totalRewarded = rewarded.reduce((a, b) => a + b, 0);
  if (totalShown === 0 || totalRewarded === 0) return new Array<number>(positions).fill(1);
  const base = totalRewarded / totalShown;
  const ctr = Array.from(shown, (s, p) => (rewarded[p]! + m * base) / (s + m));
  return ctr.map((c) => Math.min(1, Math.max(0.05, c / ctr[0]!)));
}
