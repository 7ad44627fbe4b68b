import { describe, expect, it } from 'vitest';
import { Policy } from '../../shared/schemas/artifact.js';
import { rankingMetrics, popularityLists } from '../../gpu-batch/metrics/ranking-metrics.js';
import { buildPolicy, strategySpec } from '../../gpu-batch/policy/build-policy.js';
import { CHALLENGER_GAP, challengerRows, explorationEpsilon, explorationPool, meanExplorationExamination, optimisticBase, POOL_Z, rampWeights, winningBar } from '../../gpu-batch/policy/exploration.js';
import { logit } from '../../shared/stats/logistic.js';
import { ucbIndex } from '../../shared/explore/ucb.js';
import { StrategySpec } from '../../shared/schemas/strategy.js';
import { cascadeExamination, examinationWeights, examinedStats, itemStats, positionWeightsAll } from '../../gpu-batch/policy/item-stats.js';
import { examinationCurve, positionWeights, slateCells, type CellSlot, type ExaminationCell } from '../../shared/ope/examination.js';
import { sampleSlate } from '../../shared/explore/index.js';
import { betaPosteriors, COHORT_LR_MIN, mixturePosteriors, newArrivals, posteriorMeans } from '../../gpu-batch/policy/posteriors.js';
import { logGamma } from '../../shared/stats/grid-mixture.js';
import { xoshiro128ss } from '../../shared/rng.js';
import { MAX_ABOVE, type ItemPositionRow, type SlateSlots } from '../../gpu-batch/dataset/read-dataset.js';
import { trainingRng } from '../../gpu-batch/train/init.js';

describe('rankingMetrics', () => {
  // 4 items in 2-d: items 0,1 along x, items 2,3 along y.
  const vectors = new Float32Array([1, 0, 1, 0, 0, 1, 0, 1]);
  const clicks = [6, 2, 1, 0];

  it('computes recall, NDCG, coverage, diversity and novelty by hand', () => {
    const lists = { k: 2, items: new Int32Array([0, 2, 1, 0]) };
    const heldout = new Map([[10, new Set([2, 3])], [11, new Set([3])]]);
    const m = rankingMetrics(lists, [10, 11], heldout, 2, vectors, 2, clicks);
    expect(m.users).toBe(2);
    // user 10: hit item 2 at rank 1 → recall 1/2, DCG 1/log2(3), IDCG 1 + 1/log2(3); user 11: no hit.
    expect(m.recall).toBeCloseTo((0.5 + 0) / 2, 12);
    expect(m.ndcg).toBeCloseTo((1 / Math.log2(3) / (1 + 1 / Math.log2(3))) / 2, 12);
    expect(m.coverage).toBe(3 / 4);
    expect(m.diversity).toBeCloseTo((1 + 0) / 2, 12);
    const info = (i: number) => -Math.log2((clicks[i]! + 1) / (9 + 4));
    expect(m.novelty).toBeCloseTo((info(0) + info(2) + info(1) + info(0)) / 4, 12);
  });

  it('popularity lists rank by clicks, then impressions, then row', () => {
    expect([...popularityLists([1, 3, 3, 0], [5, 1, 2, 9], 2, 3).items]).toEqual([2, 1, 0, 2, 1, 0]);
  });

  it('refuses a cut-off longer than the lists', () => {
    expect(() => rankingMetrics({ k: 1, items: new Int32Array([0]) }, [0], new Map(), 2, vectors, 2, clicks)).toThrow('k = 2 exceeds the list length 1');
  });
});

describe('position weights and posteriors', () => {
  it('recover the examination curve from explored slots alone (seeded, binomial bound)', () => {
    const theta = [1, 0.7, 0.5, 0.35];
    const rng = trainingRng(3, 0);
    const cells: ExaminationCell[] = [];
    for (let p = 0; p < theta.length; p++) {
      let rewarded = 0;
      // Pool items of mean appeal 0.15, drawn whatever the position.
      for (let j = 0; j < 20_000; j++) if (rng.next() < theta[p]! * (0.05 + 0.2 * rng.next())) rewarded++;
      cells.push({ position: p, rank: null, shown: 20_000, rewarded });
    }
    const est = examinationCurve(cells, 4)!;
    // CTR_0 ≈ 0.15 over 20,000 showings: sd of each ratio ≲ 0.025; 4 sd.
    est.forEach((t, p) => expect(Math.abs(t - theta[p]!)).toBeLessThan(0.1));
    expect(est[0]).toBe(1);
  });

  it('positionWeights (the batch tier\'s start) recovers the curve from explored slots; exploited slots do not leak in (seeded, binomial bound)', () => {
    const theta = [1, 0.7, 0.5, 0.35];
    const rng = trainingRng(3, 0);
    const rows: ItemPositionRow[] = [];
    const n = 20_000;
    for (let item = 0; item < 50; item++) {
      const r = 0.05 + 0.2 * (item / 50);
      for (let p = 0; p < theta.length; p++) {
        let rewarded = 0;
        for (let j = 0; j < n / 50; j++) if (rng.next() < theta[p]! * r) rewarded++;
        rows.push({ item, position: p, explored: true, shown: n / 50, rewarded, reward: rewarded });
        // Exploited slots (best items on top) must not leak into θ.
        rows.push({ item, position: p, explored: false, shown: p === 0 ? 500 : 0, rewarded: p === 0 ? 400 : 0, reward: 0 });
      }
    }
    const est = positionWeights(rows, 4);
    // CTR_0 ≈ 0.15 over 20,000 showings: sd of each ratio ≲ 0.025; 4 sd.
    est.forEach((t, p) => expect(Math.abs(t - theta[p]!)).toBeLessThan(0.1));
    expect(est[0]).toBe(1);
  });

  it('recover θ from the ranks exploration shifts, under a personalised ranking (seeded, over 3 seeds)', () => {
    // Real epsilon-greedy slates, ramped so the top rarely explores; each user's ranked list is
    // their own and its top items are the ones they like most (appeal 0.6 / (1 + rank) × a user
    // factor). Items as strata would confound position with the user's liking; ranks do not.
    const theta = [1, 0.7, 0.5, 0.35, 0.3];
    const spec = { name: 'epsilon-greedy' as const, epsilon: 0.25, position_weights: [0.2, 0.6, 1, 1.4, 1.8] };
    const pool = Array.from({ length: 200 }, (_, i) => `pool${i}`);
    for (const seed of [1, 2, 3]) {
      const rng = trainingRng(seed, 4);
      const slates: CellSlot[][] = [];
      for (let n = 0; n < 20_000; n++) {
        const user = rng.next() * 1.5 + 0.25;
        const ranked = Array.from({ length: 20 }, (_, r) => ({ item: `u${n % 500}-i${(r * 7 + n) % 40}`, score: 20 - r }));
        const appeal = new Map(ranked.map((c, r) => [c.item, (0.6 * user) / (1 + r)]));
        const slate = sampleSlate(spec, { ranked, pool, k: 5 }, rng);
        slates.push(slate.items.map((it) => ({ position: it.position, explored: it.explored, reward: rng.next() < theta[it.position]! * (appeal.get(it.item_id) ?? 0.05) ? 1 : 0 })));
      }
      const est = examinationCurve(slateCells(slates), 5)!;
      // ~100k showings, ≈ 3,000 clicks at the top: θ within 0.07 (about 4 sd) at every position.
      est.forEach((t, p) => expect(Math.abs(t - theta[p]!), `seed ${seed} position ${p}`).toBeLessThan(0.07));
    }
  });

  it('recover θ when the log mixes logging versions: a uniform bootstrap over junk beside trained rounds explored low (exact expected clicks)', () => {
    // A large catalog's gate window: the bootstrap round (ε = 1, the whole junk catalog at every
    // position) and two trained rounds (ε = 0.1 ramped down the slate, a better pool, their own
    // ranked lists). Rewards are the expected clicks θ_p · a, so any error is the estimator's.
    const k = 10;
    const theta = Array.from({ length: k }, (_, p) => 1 / Math.log2(p + 2));
    const junk = Array.from({ length: 3000 }, (_, i) => `junk${i}`);
    const appeal = new Map<string, number>(junk.map((id, i) => [id, 0.002 + 0.006 * (i % 7) / 6]));
    const versions = [
      { name: 'bootstrap', spec: { name: 'epsilon-greedy' as const, epsilon: 1 }, pool: junk, ranked: [] as string[], slates: 4000 },
      ...[1, 2].map((v) => {
        const pool = Array.from({ length: 110 }, (_, i) => `v${v}pool${i}`);
        pool.forEach((id, i) => appeal.set(id, 0.01 + 0.04 * (i % 5) / 4));
        const ranked = Array.from({ length: 40 }, (_, r) => `v${v}rank${r}`);
        ranked.forEach((id, r) => appeal.set(id, (0.15 + 0.1 * v) / (1 + 0.1 * r)));
        return { name: `trained-${v}`, spec: { name: 'epsilon-greedy' as const, epsilon: 0.1, position_weights: rampWeights(k) }, pool, ranked, slates: 8000 };
      }),
    ];
    const rng = trainingRng(5, 0);
    const slates: CellSlot[][] = [];
    const logged: string[] = [];
    for (const v of versions) {
      for (let n = 0; n < v.slates; n++) {
        // Each user's ranked list: the version's ranked items in a user-specific rotation of the top 20.
        const shift = Math.floor(rng.next() * 20);
        const ranked = v.ranked.map((_, r) => v.ranked[r < 20 ? (r + shift) % 20 : r]!).map((item, r) => ({ item, score: 40 - r }));
        const slate = sampleSlate(v.spec, { ranked, pool: v.pool, k }, rng);
        slates.push(slate.items.map((it) => ({ position: it.position, explored: it.explored, reward: theta[it.position]! * appeal.get(it.item_id)! })));
        logged.push(v.name);
      }
    }
    const worst = (est: number[] | null) => Math.max(...est!.map((t, p) => Math.abs(t - theta[p]!)));
    // Per version, to convergence: within 0.02 of the truth at every position (measured 0.005).
    expect(worst(examinationCurve(slateCells(slates, logged), k))).toBeLessThan(0.02);
    // One stratum per rank over all versions: explored junk everywhere beside better pools explored
    // low makes explored items look better the lower they sit, and the curve flattens (0.48 at
    // position 9, truly 0.29).
    expect(worst(examinationCurve(slateCells(slates), k))).toBeGreaterThan(0.1);
    // Stopped after 100 rounds of the alternation (the old fit), it has not reached the truth
    // either (0.33 at position 9).
    expect(worst(examinationCurve(slateCells(slates, logged), k, 100))).toBeGreaterThan(0.03);
  });

  it('θ is unidentified without the exploration\'s experiments: no explored marks, no data', () => {
    const unmarked = slateCells([[{ position: 0, reward: 1 }, { position: 1, reward: 1 }], [{ position: 0, reward: 0 }, { position: 1, reward: 1 }]]);
    expect(unmarked.every((c) => c.rank === c.position)).toBe(true);
    expect(examinationCurve(unmarked, 2)).toBeNull();
    expect(examinationCurve([], 3)).toBeNull();
    // One explored slot above shifts the ranked item of rank 0 to position 1.
    expect(slateCells([[{ position: 1, reward: 1 }, { position: 0, explored: true, reward: 0 }]]).map((c) => [c.position, c.rank])).toEqual([[0, null], [1, 0]]);
  });

  it('recover θ from every showing when exploration rarely reaches the top (seeded, over 3 seeds)', () => {
    const theta = [1, 0.7, 0.5, 0.35];
    for (const seed of [1, 2, 3]) {
      const rng = trainingRng(seed, 4);
      const rows: ItemPositionRow[] = [];
      for (let item = 0; item < 60; item++) {
        const r = 0.05 + 0.4 * (item / 60);
        for (let p = 0; p < 4; p++) {
          // Better items are shown higher more often (a ranking), and exploration is ramped: ~30 explored showings at the top.
          const exploited = Math.round(400 * (item / 60) * (1 - p / 4)) + 20;
          const explored = [1, 3, 6, 10][p]!;
          for (const [shown, isExplored] of [[exploited, false], [explored, true]] as const) {
            let rewarded = 0;
            for (let j = 0; j < shown; j++) if (rng.next() < theta[p]! * r) rewarded++;
            rows.push({ item, position: p, explored: isExplored, shown, rewarded, reward: rewarded });
          }
        }
      }
      const est = positionWeightsAll(rows, 60, 4);
      // ~60k showings, Poisson counts: θ within 0.06 (about 4 sd) of the truth at every position.
      est.forEach((t, p) => expect(Math.abs(t - theta[p]!), `seed ${seed} position ${p}`).toBeLessThan(0.06));
    }
  });

  it('base appeal reads θ from the exploration\'s experiments: personalised lists confound the fit over every showing (seeded, over 3 seeds)', () => {
    // Two kinds of user rank the same four items in opposite orders, each item liked (2×) by the
    // kind that shows it on top and disliked (0.5×) by the kind that shows it low; ramped
    // exploration inserts pool items (4–7, liked by nobody in particular), shifting the list down.
    const theta = [1, 0.7, 0.5, 0.35];
    const epsilon = [0.05, 0.1, 0.2, 0.3];
    const base = [0.3, 0.25, 0.25, 0.3, 0.1, 0.12, 0.14, 0.16];
    const attraction = (kind: number, item: number) => (item >= 4 ? base[item]! : base[item]! * ((item < 2) === (kind === 0) ? 2 : 0.5));
    for (const seed of [1, 2, 3]) {
      const rng = trainingRng(seed, 4);
      const slates: CellSlot[][] = [];
      const counts = new Map<string, ItemPositionRow>();
      for (let n = 0; n < 40_000; n++) {
        const kind = n % 2;
        const list = kind === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0];
        const slate: CellSlot[] = [];
        const shown: number[] = [];
        let next = 0;
        for (let p = 0; p < 4; p++) {
          const explored = rng.next() < epsilon[p]!;
          const item = explored ? 4 + Math.floor(rng.next() * 4) : list[next++]!;
          const y = rng.next() < theta[p]! * attraction(kind, item) ? 1 : 0;
          slate.push({ position: p, explored, reward: y });
          shown.push(item);
          const key = `${item}:${p}:${explored}`;
          const row = counts.get(key) ?? { item, position: p, explored, shown: 0, rewarded: 0, reward: 0 };
          row.shown++;
          row.rewarded += y;
          row.reward += y;
          counts.set(key, row);
        }
        slates.push(slate);
      }
      const rows = [...counts.values()];
      const all = positionWeightsAll(rows, 8, 4);
      const read = examinationWeights({ all: slateCells(slates), clearAbove: slateCells(slates, undefined, { clearAbove: true }) }, rows, 8, 4);
      expect(read.source).toBe('experiments');
      // ~160k showings: the experiments' curve within 0.06 of reading at every position …
      read.theta.forEach((t, p) => expect(Math.abs(t - theta[p]!), `seed ${seed} position ${p}`).toBeLessThan(0.06));
      // … while every showing fitted together takes the fans' liking for reading: the bottom at under 0.6× of it.
      expect(all[3]!, `seed ${seed}`).toBeLessThan(0.6 * theta[3]!);
      // Without explored marks there is no experiment: the fit over every showing stands in.
      const unmarked = slates.map((s) => s.map(({ position, reward }) => ({ position, reward })));
      expect(examinationWeights({ all: slateCells(unmarked), clearAbove: slateCells(unmarked, undefined, { clearAbove: true }) }, rows, 8, 4)).toMatchObject({ theta: all, stop: [1, 1, 1], source: 'all-showings' });
      // Nor with pool draws alone (a bootstrap round: every slot explored): nothing ranked was shifted.
      const drawsOnly = slates.map((s) => s.map((x) => ({ ...x, explored: true })));
      expect(examinationCurve(slateCells(drawsOnly), 4)).not.toBeNull();
      expect(examinationWeights({ all: slateCells(drawsOnly), clearAbove: slateCells(drawsOnly, undefined, { clearAbove: true }) }, rows, 8, 4).source).toBe('all-showings');
    }
  });

  it('counts the reading a click above takes off: items a cascade reader sees under clicks are not undercounted (seeded, 3 seeds)', () => {
    // 10 ranked items, each slate the 5 best by rate plus noise (good items mostly on top, as a
    // ranking does); ramped exploration puts pool items (rows 10–14) in, shifting the list down.
    // Reading falls by position (e), and the reader stops after a click with chance `stop`
    // (cascade) or never (position-based).
    const e = [1, 0.8, 0.65, 0.5, 0.4];
    const epsilon = [0.05, 0.1, 0.2, 0.3, 0.4];
    const rates = [0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.16, 0.12, 0.1, 0.08, 0.05, 0.08, 0.1, 0.12, 0.15];
    const simulate = (seed: number, stop: number) => {
      const rng = trainingRng(seed, 9);
      const counts = new Map<string, ItemPositionRow>();
      const slates: CellSlot[][] = [];
      const slots: SlateSlots = { items: [], slots: [] };
      for (let n = 0; n < 60_000; n++) {
        const list = [...Array(10).keys()].map((i) => ({ i, key: rates[i]! + 0.25 * rng.next() })).sort((a, b) => b.key - a.key).map((x) => x.i);
        const slate: CellSlot[] = [];
        const shown: number[] = [];
        let next = 0;
        let reading = true;
        let above = 0;
        for (let p = 0; p < 5; p++) {
          if (reading && p > 0) reading = rng.next() < e[p]! / e[p - 1]!;
          const explored = rng.next() < epsilon[p]!;
          const item = explored ? 10 + Math.floor(rng.next() * 5) : list[next++]!;
          const y = reading && rng.next() < rates[item]! ? 1 : 0;
          slate.push({ position: p, explored, reward: y });
          shown.push(item);
          const a = Math.min(above, MAX_ABOVE);
          const key = `${item}:${p}:${explored}:${a}`;
          const row = counts.get(key) ?? { item, position: p, explored, shown: 0, rewarded: 0, reward: 0, above: a };
          row.shown++;
          row.rewarded += y;
          row.reward += y;
          counts.set(key, row);
          if (y) {
            above++;
            if (rng.next() < stop) reading = false;
          }
        }
        slates.push(slate);
        slots.items.push(shown);
        slots.slots.push(slate.map((x) => ({ explored: x.explored === true, clicked: x.reward > 0 })));
      }
      return { rows: [...counts.values()], slates, slots };
    };
    const rate = (s: ReturnType<typeof itemStats>) => Array.from(s.exposure, (x, i) => s.rewarded[i]! / x);
    // Items 0–6: shown in most slates (7–9 rarely make the top 5).
    const meanError = (est: number[]) => est.slice(0, 7).reduce((a, x, i) => a + Math.abs(x / rates[i]! - 1), 0) / 7;
    for (const seed of [1, 2, 3]) {
      const cascade = simulate(seed, 0.5);
      // Now: reading before any click from the experiments, and what a click above leaves of it.
      const cells = (x: { slates: CellSlot[][] }) => ({ all: slateCells(x.slates), clearAbove: slateCells(x.slates, undefined, { clearAbove: true }) });
      const read = examinationWeights(cells(cascade), cascade.rows, 15, 5);
      expect(read.source).toBe('experiments');
      expect(read.stop[1], `seed ${seed}`).toBeLessThan(0.7);
      expect(read.stop[2]).toBeLessThanOrEqual(read.stop[1]!);
      const withStops = rate(itemStats(cascade.rows, 15, read.theta, read.stop));
      // Before: one curve by position from every slot of the experiments.
      const before = rate(itemStats(cascade.rows, 15, examinationCurve(slateCells(cascade.slates), 5)!));
      // The ranked items' rates: off by under a third of the error of a curve by position alone
      // (measured: 0.02–0.04 against 0.17–0.20), the five best within 8% each.
      expect(meanError(withStops), `seed ${seed}`).toBeLessThan(meanError(before) / 3);
      for (let i = 0; i < 5; i++) expect(Math.abs(withStops[i]! / rates[i]! - 1), `seed ${seed} item ${i}`).toBeLessThan(0.08);
      // The mean reading by position (what ε sizing reads) falls below reading before any click.
      expect(read.reading[4]).toBeLessThan(0.9 * read.theta[4]!);
      // Position-based reading: a click above takes nothing off; the factor stays near 1, and base
      // appeal keeps the curve of every slot, exactly as without the stop.
      const pbm = simulate(seed, 0);
      const flat = examinationWeights(cells(pbm), pbm.rows, 15, 5);
      expect(flat.stop, `seed ${seed}`).toEqual([1, 1, 1]);
      expect(flat.theta).toEqual(examinationCurve(slateCells(pbm.slates), 5));
      // With the slates slot by slot: the cascade's exposures where readers stop, and the same
      // model as without them where they do not (the gate's rule, `cascadeTaken`).
      const viaCascade = examinationWeights(cells(cascade), cascade.rows, 15, 5, cascade.slots);
      const cascadeRates = rate(examinedStats(cascade.rows, 15, viaCascade));
      // Measured: stop 0.506–0.507, reading within 0.02 of e; the five best within 1.7% each, mean
      // error over items 0–6 0.011–0.032 (the curve with factors per click above: 0.018–0.039).
      expect(viaCascade.source, `seed ${seed}`).toBe('cascade');
      expect(Math.abs(viaCascade.cascade!.stop - 0.5)).toBeLessThan(0.03);
      viaCascade.cascade!.read.forEach((x, p) => expect(Math.abs(x - e[p]!), `seed ${seed} position ${p}`).toBeLessThan(0.04));
      for (let i = 0; i < 5; i++) expect(Math.abs(cascadeRates[i]! / rates[i]! - 1), `seed ${seed} item ${i}`).toBeLessThan(0.04);
      expect(meanError(cascadeRates), `seed ${seed}`).toBeLessThan(0.05);
      // The fit on a third of the slates (a window past `CASCADE_FIT_SLATES`), every slate's exposure from it.
      const sampled = cascadeExamination(cascade.slots, 15, 5, examinationCurve(slateCells(cascade.slates), 5), 20_000)!;
      const sampledRates = rate({ ...itemStats(cascade.rows, 15, [1]), exposure: sampled.exposure });
      // Measured: the five best within 2.8% (all slates: 1.7%), mean error 0.021–0.049 (0.011–0.032).
      for (let i = 0; i < 5; i++) expect(Math.abs(sampledRates[i]! / rates[i]! - 1), `seed ${seed} item ${i}, sampled fit`).toBeLessThan(0.05);
      expect(meanError(sampledRates), `seed ${seed}, sampled fit`).toBeLessThan(0.07);
      expect(examinationWeights(cells(pbm), pbm.rows, 15, 5, pbm.slots)).toEqual(flat);
    }
  });

  it('without explored data the batch tier\'s θ is 1 and the prior is Beta(1, 19)', () => {
    expect(positionWeights([], 3)).toEqual([1, 1, 1]);
    const stats = itemStats([], 2, [1]);
    expect(betaPosteriors(stats).prior).toEqual({ alpha: 1, beta: 19 });
  });

  it('shrinks thin evidence toward the prior', () => {
    const rows: ItemPositionRow[] = [
      { item: 0, position: 0, explored: false, shown: 1, rewarded: 1, reward: 1 },
      { item: 1, position: 0, explored: false, shown: 3000, rewarded: 450, reward: 450 },
      { item: 2, position: 0, explored: false, shown: 3000, rewarded: 30, reward: 30 },
    ];
    const means = posteriorMeans(betaPosteriors(itemStats(rows, 3, [1]), 20));
    // 1 click in 1 view: shrunk from 100% to p0 + 1/21 ≈ 0.11, below a solid 15% item.
    expect(means[0]).toBeCloseTo((20 * (481 / 6001) + 1) / 21, 12);
    expect(means[1]).toBeGreaterThan(means[0]!);
    expect(means[0]).toBeGreaterThan(means[2]!);
  });

  it('fits the prior strength to the spread of item rates (seeded catalogs)', () => {
    const rng = trainingRng(11, 3);
    const catalog = (rate: () => number) => {
      const rows: ItemPositionRow[] = [];
      for (let i = 0; i < 300; i++) {
        const p = rate();
        let clicks = 0;
        for (let s = 0; s < 400; s++) if (rng.next() < p) clicks++;
        rows.push({ item: i, position: 0, explored: false, shown: 400, rewarded: clicks, reward: clicks });
      }
      return betaPosteriors(itemStats(rows, 300, [1]));
    };
    // Equal items: the observed spread is sampling noise, so shrink hard.
    const flat = catalog(() => 0.05);
    expect(flat.prior.alpha + flat.prior.beta).toBeGreaterThan(100);
    // Long tail (a few stars): a weak prior, so a new item could be a star. True m = p(1−p)/τ² − 1 ≈ 5.
    const tail = catalog(() => (rng.next() < 0.1 ? 0.4 : 0.03));
    const m = tail.prior.alpha + tail.prior.beta;
    expect(m).toBeGreaterThan(2);
    expect(m).toBeLessThan(12);
    // Thin data (5 showings per item): the spread is not resolvable, and the prior stays weak.
    const thin: ItemPositionRow[] = Array.from({ length: 300 }, (_, i) => ({ item: i, position: 0, explored: true, shown: 12, rewarded: rng.next() < 0.3 ? 1 : 0, reward: 0 }));
    const weak = betaPosteriors(itemStats(thin, 300, [1]));
    expect(weak.prior.alpha + weak.prior.beta).toBeLessThan(15);
  });
});

describe('mixture-prior posteriors (nonparametric empirical Bayes)', () => {
  /** n items with true rates `truth`, 2–31 examinations each, binomial rewards. */
  function catalog(truth: number[], seed: number) {
    const rng = xoshiro128ss([seed, 1, 2, 3]);
    const n = truth.length;
    const exposure = new Float64Array(n);
    const rewarded = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      exposure[i] = 2 + Math.floor(rng.next() * 30);
      for (let k = 0; k < exposure[i]!; k++) if (rng.next() < truth[i]!) rewarded[i]!++;
    }
    return { impressions: exposure, rewarded, reward: rewarded, exposure };
  }
  const mse = (m: Float64Array, truth: number[]) => m.reduce((a, x, i) => a + (x - truth[i]!) ** 2, 0) / m.length;

  it('learns a heavy tail (1% stars among junk): half the squared error of one Beta prior; a bell: no worse', () => {
    for (const seed of [1, 2, 3]) {
      const rng = xoshiro128ss([seed, 9, 9, 9]);
      const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
      const stars = Array.from({ length: 3000 }, (_, i) => (i % 100 === 0 ? 0.3 : 0.01));
      const s = catalog(stars, seed);
      // Measured 0.42–0.53× over these seeds.
      expect(mse(posteriorMeans(mixturePosteriors(s)), stars)).toBeLessThan(0.7 * mse(posteriorMeans(betaPosteriors(s)), stars));
      const bell = Array.from({ length: 3000 }, () => 1 / (1 + Math.exp(3 - 0.8 * gauss())));
      const b = catalog(bell, seed);
      // Measured 0.96×: where one Beta is the right shape, the mixture finds about the same.
      expect(mse(posteriorMeans(mixturePosteriors(b)), bell)).toBeLessThan(1.05 * mse(posteriorMeans(betaPosteriors(b)), bell));
    }
  });

  it('learns a prior of their own for new arrivals: stars among them are not taken for the old tail\'s junk', () => {
    for (const seed of [1, 2, 3]) {
      // 3,000 old items with 0.3% stars, 200 new ones with 10% (the large-catalog world's shape),
      // 2–31 examinations each.
      const truth = Array.from({ length: 3200 }, (_, i) => (i < 3000 ? (i % 300 === 0 ? 0.2 : 0.005) : i % 10 === 0 ? 0.2 : 0.005));
      const s = catalog(truth, seed);
      const arrivals = Uint8Array.from(truth, (_, i) => (i >= 3000 ? 1 : 0));
      const one = posteriorMeans(mixturePosteriors(s));
      const fitted = mixturePosteriors(s, arrivals);
      expect(fitted.newArrivals).toMatchObject({ examined: 200, ownPrior: true });
      const own = posteriorMeans(fitted);
      const part = (m: Float64Array, lo: number, hi: number) => mse(m.subarray(lo, hi), truth.slice(lo, hi));
      // New arrivals: measured 0.65–0.72× the squared error under the catalog's one prior.
      expect(part(own, 3000, 3200)).toBeLessThan(0.8 * part(one, 3000, 3200));
      // Old items: unchanged (the catalog's prior is fitted to every item, as before).
      expect(own.subarray(0, 3000)).toEqual(one.subarray(0, 3000));
      // A never-examined new arrival carries its cohort's prior: more promising than the catalog's.
      s.exposure[3001] = 0;
      s.rewarded[3001] = 0;
      const p = mixturePosteriors(s, arrivals);
      expect(p.alpha[3001]! / (p.alpha[3001]! + p.beta[3001]!)).toBeGreaterThan(p.prior.alpha / (p.prior.alpha + p.prior.beta));
      // New arrivals drawn like the old items (2% stars in both): the likelihood-ratio test keeps
      // the catalog's prior (statistic 0.5–1.0 here, against 41–46 above), so nothing changes. An
      // own prior fitted to 200 items would cost them 4–14% more squared error.
      const same = catalog(Array.from({ length: 3200 }, (_, i) => (i % 50 === 0 ? 0.2 : 0.005)), seed);
      const kept = mixturePosteriors(same, arrivals);
      expect(kept.newArrivals).toMatchObject({ examined: 200, ownPrior: false });
      expect(kept.newArrivals!.lr).toBeLessThan(COHORT_LR_MIN);
      expect({ ...kept, newArrivals: undefined }).toEqual({ ...mixturePosteriors(same), newArrivals: undefined });
    }
  });

  it('counts as new arrivals the items created within a week of the newest, unknown dates not', () => {
    const day = 86_400_000;
    expect([...newArrivals([0, 20 * day, 29 * day, 30 * day, Number.NaN])]).toEqual([0, 0, 1, 1, 0]);
    // A catalog that stopped growing still has its latest cohort.
    expect([...newArrivals([0, 100 * day, 101 * day])]).toEqual([0, 1, 1]);
  });

  it('gives a never-examined item exactly the prior, and falls back to one Beta with under 20 examined items', () => {
    const s = catalog(Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? 0.3 : 0.02)), 4);
    s.exposure[7] = 0;
    s.rewarded[7] = 0;
    const p = mixturePosteriors(s);
    expect([p.alpha[7], p.beta[7]]).toEqual([p.prior.alpha, p.prior.beta]);
    // A one-click-in-one-examination item ranks below a 3-in-10 one: a lucky click is common, a star rare.
    s.exposure[8] = 1;
    s.rewarded[8] = 1;
    s.exposure[9] = 10;
    s.rewarded[9] = 3;
    const m = posteriorMeans(mixturePosteriors(s));
    expect(m[9]).toBeGreaterThan(m[8]!);
    const few = catalog([0.1, 0.2, 0.3], 5);
    expect(mixturePosteriors(few)).toEqual(betaPosteriors(few));
  });

  it('logGamma matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    // Stirling with two correction terms at 1e5.
    const x = 1e5;
    expect(logGamma(x) / ((x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3)) - 1).toBeLessThan(1e-12);
  });
});

describe('exploration and policy', () => {
  it('pools the items that could still win: optimistic value above the k-th best mean; never examined first, then most optimistic; capped', () => {
    const prior = { alpha: 0.3, beta: 2.7 };
    // rows: 0, 1 strong and known (the top k = 2); 2 known junk; 3 new (the prior); 4 uncertain and promising; 5 known mediocre.
    const alpha = Float64Array.from([300, 250, 2, 0, 2, 40]).map((x) => x + prior.alpha);
    const beta = Float64Array.from([700, 750, 998, 0, 6, 960]).map((x) => x + prior.beta);
    const posteriors = { prior, alpha, beta };
    const pool = explorationPool(posteriors, { k: 2, max: 10, bootstrap: false });
    expect(pool).toEqual([3, 4]);
    // A strong prior puts a new item's optimistic value below the bar; it still qualifies (no evidence against it).
    const strong = { prior: { alpha: 10, beta: 90 }, alpha: Float64Array.from([310, 260, 12, 10]), beta: Float64Array.from([790, 840, 1088, 90]) };
    expect(explorationPool(strong, { k: 2, max: 10, bootstrap: false })).toEqual([3]);
    expect(explorationPool(posteriors, { k: 2, max: 1, bootstrap: false })).toEqual([3]);
    // Examined items among themselves: most optimistic first (an uncertain one ahead of a known mediocre one).
    const seen = { prior, alpha: Float64Array.from([300, 250, 2, 1, 2, 40]).map((x) => x + prior.alpha), beta: Float64Array.from([700, 750, 998, 2, 6, 960]).map((x) => x + prior.beta) };
    expect(explorationPool(seen, { k: 2, max: 10, bootstrap: false })).toEqual([3, 4]);
    expect(explorationPool(posteriors, { k: 2, max: 1, bootstrap: true })).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never-examined items come first, newest first, so new items are not stuck behind an old backlog or lucky examined items', () => {
    const prior = { alpha: 0.3, beta: 2.7 };
    // 2 known stars, then 100 never-examined old items, then 5 new ones (also never examined), then
    // one examined item lucky enough (1 click in 2) to be more optimistic than the prior.
    const n = 108;
    const alpha = Float64Array.from({ length: n }, (_, i) => (i < 2 ? 300 : i === 107 ? 1 : 0) + prior.alpha);
    const beta = Float64Array.from({ length: n }, (_, i) => (i < 2 ? 700 : i === 107 ? 1 : 0) + prior.beta);
    const day = 86_400_000;
    const createdAt = Float64Array.from({ length: n }, (_, i) => (i >= 102 ? 10 * day + i : i === 50 ? Number.NaN : day));
    const pool = explorationPool({ prior, alpha, beta }, { k: 2, max: 8, bootstrap: false, createdAt });
    expect(pool.slice(0, 5)).toEqual([106, 105, 104, 103, 102]);
    // Then the backlog, in catalog order; an item of unknown age counts as oldest.
    expect(pool.slice(5)).toEqual([2, 3, 4]);
    const all = explorationPool({ prior, alpha, beta }, { k: 2, max: 200, bootstrap: false, createdAt });
    expect(all.at(-2)).toBe(50);
    expect(all.at(-1)).toBe(107);
  });

  it('sizes the pool: every never-examined item up to max, examined items fill it up to base', () => {
    const prior = { alpha: 0.3, beta: 2.7 };
    // 2 known stars; 30 never-examined items (rows 2–31); 30 examined, uncertain and promising (rows 32–61).
    const n = 62;
    const alpha = Float64Array.from({ length: n }, (_, i) => (i < 2 ? 300 : i >= 32 ? 2 : 0) + prior.alpha);
    const beta = Float64Array.from({ length: n }, (_, i) => (i < 2 ? 700 : i >= 32 ? 6 : 0) + prior.beta);
    const posteriors = { prior, alpha, beta };
    const isNew = (i: number) => i >= 2 && i < 32;
    // Few new items: examined ones fill the pool to its base.
    const few = explorationPool(posteriors, { k: 2, max: 100, base: 40, bootstrap: false });
    expect(few).toHaveLength(40);
    expect(few.filter(isNew)).toHaveLength(30);
    expect(few.slice(0, 30).every(isNew)).toBe(true);
    // New items alone reach the base: every one of them, up to max, and the reserve of examined
    // items (a quarter of the base) after them.
    const many = explorationPool(posteriors, { k: 2, max: 100, base: 20, bootstrap: false });
    expect(many).toHaveLength(35);
    expect(many.slice(0, 30).every(isNew)).toBe(true);
    expect(many.slice(30).some(isNew)).toBe(false);
    const capped = explorationPool(posteriors, { k: 2, max: 25, base: 20, bootstrap: false });
    expect(capped.filter(isNew)).toHaveLength(25);
    expect(capped).toHaveLength(30);
    // Without a base, max is the one cap (examined items fill to it).
    expect(explorationPool(posteriors, { k: 2, max: 50, bootstrap: false })).toHaveLength(50);
  });

  it('keeps places for examined challengers when new items fill the pool, nearest the bar first', () => {
    // The large-catalog case: a mixture prior that is mostly junk. Rows 0–9 known stars (the top
    // k = 10, bar ≈ 0.2); 100 never-examined new items; 40 old items with one click in three
    // showings (a wide posterior, mostly junk: high u_i, low mean); 5 items with 3 clicks in 15
    // examinations (a likely star short of the bar).
    const prior = { alpha: 0.05, beta: 5 };
    const n = 10 + 100 + 40 + 5;
    const alpha = new Float64Array(n).fill(prior.alpha);
    const beta = new Float64Array(n).fill(prior.beta);
    for (let i = 0; i < 10; i++) [alpha[i], beta[i]] = [200, 800];
    for (let i = 110; i < 150; i++) [alpha[i], beta[i]] = [0.15, 1.2];
    for (let i = 150; i < n; i++) [alpha[i], beta[i]] = [2.6, 16];
    const posteriors = { prior, alpha, beta };
    const { bar } = winningBar(posteriors, 10);
    const u = (i: number) => ucbIndex(alpha[i]!, beta[i]!, POOL_Z);
    // Both kinds qualify, and by u_i the backlog's lucky items come first.
    expect(u(110)).toBeGreaterThan(u(150));
    expect(u(150)).toBeGreaterThanOrEqual(bar);
    const pool = explorationPool(posteriors, { k: 10, max: 100, base: 40, bootstrap: false });
    expect(pool.slice(0, 100).every((i) => i >= 10 && i < 110)).toBe(true);
    expect(pool).toHaveLength(110);
    // The 10 reserved places: the 5 near-misses first, then the backlog.
    expect(pool.slice(100, 105).sort((a, b) => a - b)).toEqual([150, 151, 152, 153, 154]);
    expect(pool.slice(105).every((i) => i >= 110 && i < 150)).toBe(true);
  });

  it('drops an examined item from the pool once its evidence reaches the target, whatever its interval still allows', () => {
    const prior = { alpha: 0.3, beta: 2.7 };
    // rows 0, 1 known stars (the top k = 2, bar 0.3); 2 never examined; 3 and 4 uncertain and promising, alike in their posterior.
    const alpha = Float64Array.from([300, 300, 0, 2, 2]).map((x) => x + prior.alpha);
    const beta = Float64Array.from([700, 700, 0, 6, 6]).map((x) => x + prior.beta);
    const posteriors = { prior, alpha, beta };
    expect(explorationPool(posteriors, { k: 2, max: 10, bootstrap: false })).toEqual([2, 3, 4]);
    // Row 3 has been shown enough to expect 8 clicks at the bar (exposure 30 · 0.3 = 9 ≥ 8); row 4 not (20 · 0.3 = 6).
    const exposure = Float64Array.from([1000, 1000, 0, 30, 20]);
    expect(explorationPool(posteriors, { k: 2, max: 10, bootstrap: false, evidence: { exposure, clicks: 8 } })).toEqual([2, 4]);
    // A never-examined item has no evidence: it always qualifies.
    expect(explorationPool(posteriors, { k: 2, max: 10, bootstrap: false, evidence: { exposure, clicks: 0.1 } })).toEqual([2]);
  });

  it('optimism lifts a thinly evidenced item above a settled one of the same mean, for the user whose taste favours it', () => {
    // Row 0 settled (3,000 in 10,000), row 1 thin (3 in 10), row 2 settled a little better (3,300 in 10,000).
    const posteriors = { prior: { alpha: 1, beta: 9 }, alpha: Float64Array.from([3000, 3, 3300]), beta: Float64Array.from([7000, 7, 6700]) };
    const mean = optimisticBase(posteriors, 0);
    // z = 0 is logit(base appeal) exactly, what the candidates ranked by before.
    expect(Array.from(mean)).toEqual(Array.from(posteriorMeans(posteriors), logit));
    expect(Array.from(mean)).toEqual([logit(0.3), logit(0.3), logit(0.33)].map((x) => expect.closeTo(x, 12)));
    const opt = optimisticBase(posteriors, 1);
    // A settled item barely moves (sd ≈ 0.005); the thin one by its sd (≈ 0.14).
    expect(opt[0]! - mean[0]!).toBeLessThan(0.03);
    expect(opt[1]! - mean[1]!).toBeGreaterThan(0.5);
    // λ · taste: this user likes row 1 a little (0.1) more than row 2; by the mean row 2 still leads, with optimism row 1 does.
    const taste = [0, 0.1, 0];
    const top = (b: Float64Array) => [0, 1, 2].sort((x, y) => b[y]! + taste[y]! - (b[x]! + taste[x]!))[0];
    expect(top(mean)).toBe(2);
    expect(top(opt)).toBe(1);
  });

  it('challengers: the examined items likeliest to clear the bar rank at it, within a budget', () => {
    // Rows 0–1 settled winners (the top k = 2, bar 0.3); 2 never examined; challengers (mean, sd, z-score
    // against the bar): 3 (0.25, 0.094, −0.53), 4 (0.2, 0.087, −1.15), 5 (0.17, 0.082, −1.58), 7 (0.298,
    // 0.0046, −0.44), 8 (0.26, 0.044, −0.92); 6 thin but hopeless (0.5 in 40.5: upper bound 0.05 < 0.3).
    const posteriors = {
      prior: { alpha: 1, beta: 9 },
      alpha: Float64Array.from([3000, 3100, 1, 5, 4, 3.4, 0.5, 2980, 26]),
      beta: Float64Array.from([7000, 6900, 9, 15, 16, 16.6, 40, 7020, 74]),
    };
    const exposure = Float64Array.from([10_000, 10_000, 0, 20, 20, 20, 40, 10_000, 100]);
    const two = challengerRows(posteriors, { k: 2, budget: 2, exposure })!;
    // By the chance of clearing the bar, not by mean (by mean row 8 would come before row 3).
    expect([[...two.rows], two.bar]).toEqual([[7, 3], 0.3]);
    expect([...challengerRows(posteriors, { k: 2, budget: 10, exposure })!.rows]).toEqual([7, 3, 8, 4, 5]);
    expect(challengerRows(posteriors, { k: 2, budget: 0, exposure })).toBeNull();
    // Newest first (what the catalog says was created last has had one share of exploration at most), then by z-score.
    const createdAt = Float64Array.from([0, 0, 0, 0, 0, 5, 0, 0, 5]).map((t, i) => (i === 4 ? Number.NaN : t));
    expect([...challengerRows(posteriors, { k: 2, budget: 10, exposure, createdAt })!.rows]).toEqual([8, 5, 7, 3, 4]);
    // Challengers rank a hair below the bar (the k-th best item keeps ties: the user's taste decides),
    // the rest keep logit(mean) bit for bit; with z > 0 a challenger whose bound passes the bar keeps its bound.
    const mean = optimisticBase(posteriors, 0);
    const lifted = optimisticBase(posteriors, 0, two);
    expect([lifted[7]!, lifted[3]!]).toEqual([logit(0.3) - CHALLENGER_GAP, logit(0.3) - CHALLENGER_GAP]);
    // Ranked as candidates are (float32 scores), whichever way ties break, with no taste the top k
    // are the settled winners for everyone; a little taste for a challenger puts it in.
    const rank = (taste: number[], tie: 1 | -1) => [...Float32Array.from(lifted, (b, i) => b + (taste[i] ?? 0)).entries()].sort((a, b) => b[1] - a[1] || tie * (a[0] - b[0])).map(([i]) => i);
    // Row 0 is the k-th best (mean 0.3, the bar), row 1 above it; challengers 7 and 3 tie it but for the gap.
    for (const tie of [1, -1] as const) {
      expect(rank([], tie).slice(0, 2)).toEqual([1, 0]);
      expect(rank([0, 0, 0, 0.01], tie).slice(0, 2)).toEqual([1, 3]);
    }
    expect([0, 1, 2, 4, 5, 6, 8].map((i) => lifted[i])).toEqual([0, 1, 2, 4, 5, 6, 8].map((i) => mean[i]));
    expect(optimisticBase(posteriors, 1, two)[3]).toBeCloseTo(logit(ucbIndex(5, 15, 1)), 12);
  });

  it('epsilon buys a few clicks per pool item per round, within its bounds', () => {
    const o = { pool: 20, slots: 50_000, winnerRate: 0.05, meanExamination: 0.5, clicks: 3, min: 0.02, max: 0.25, bootstrap: false };
    // 20 items × 3 / (0.05 · 0.5) = 2,400 slots of 50,000.
    expect(explorationEpsilon(o)).toBe(0.048);
    expect(explorationEpsilon({ ...o, pool: 0 })).toBe(0.02);
    expect(explorationEpsilon({ ...o, slots: 1000 })).toBe(0.25);
    expect(explorationEpsilon({ ...o, bootstrap: true })).toBe(0.25);
    // The rate ε is sized at: the winner's (the k-th best posterior mean), not the average item's.
    const prior = { alpha: 1, beta: 99 };
    const posteriors = { prior, alpha: Float64Array.from([41, 31, 21, 1, 1]), beta: Float64Array.from([959, 969, 979, 99, 99]) };
    const { top, bar } = winningBar(posteriors, 3);
    expect([...top].sort()).toEqual([0, 1, 2]);
    expect(bar).toBeCloseTo(0.021, 12);
  });

  it('ramps exploration down the slate with mean weight 1, and averages examination over it', () => {
    const w = rampWeights(10);
    expect(w[0]).toBeCloseTo(0.1818, 4);
    expect(w.reduce((a, b) => a + b, 0) / 10).toBeCloseTo(1, 3);
    expect(meanExplorationExamination([1, 0.5], null, 2)).toBeCloseTo(0.75, 12);
    expect(meanExplorationExamination([1, 0.5], [1, 3], 2)).toBeCloseTo(0.625, 12);
  });

  it('maps every configurable strategy to a spec the schema accepts', () => {
    for (const name of ['epsilon-greedy', 'decaying-epsilon', 'ucb', 'thompson'] as const) {
      expect(StrategySpec.safeParse(strategySpec(name, 0.1, rampWeights(10), { alpha: 2, beta: 30 }, 10)).success).toBe(true);
    }
  });

  it('builds a policy the schema accepts', () => {
    const ids = Array.from({ length: 70 }, (_, i) => `i${i}`);
    const policy = buildPolicy({ version: 'v20260101T000000Z-abcdef', defaultSurface: 'home', strategies: { home: { name: 'epsilon-greedy', epsilon: 0.2 }, cart: { name: 'epsilon-greedy', epsilon: 0.05, position_weights: [0.5, 1.5] } }, kDefault: 10, kMax: 20, itemIds: ids, pool: [3, 4], popularityScore: ids.map((_, i) => i % 7), candidatesPerUser: 60 });
    expect(Policy.safeParse(policy).success).toBe(true);
    expect(policy.popularity.length).toBe(70);
    expect(policy.popularity[0]).toEqual({ item: 'i6', score: 6 });
    expect(policy.exploration_pool).toEqual(['i3', 'i4']);
  });
});
