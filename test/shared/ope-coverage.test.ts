import { describe, expect, it } from 'vitest';
import { epsilonGreedy, type SlateInput } from '../../shared/explore/index.js';
import { clippedIps, directMethod, doublyRobust, ips, slateIps, snips, type BanditData, type Estimate, type RewardModelData } from '../../shared/ope/index.js';
import { crossFitModels, predictLogged, predictReward, tableValue } from '../../shared/ope/item-position-model.js';
import { slateDr } from '../../shared/ope/slate-dr.js';
import { rngForImpression, xoshiro128ss, type Rng } from '../../shared/rng.js';

/**
 * Estimators on synthetic logs whose target value is known exactly. Over 100 seeds a 95%
 * interval of an unbiased estimator covers the truth ~95 times (sd ≈ 2.2); requiring ≥ 88 fails a
 * wrongly weighted estimator, which the negative cases show. Seeds are fixed: deterministic.
 */

const SEEDS = 100;
const N = 1000;
const K = 5;
// Three equally likely contexts; the logging policy favours the actions the target avoids.
const mu = [
  [0.1, 0.3, 0.5, 0.7, 0.9],
  [0.8, 0.6, 0.4, 0.2, 0.1],
  [0.3, 0.3, 0.9, 0.1, 0.5],
];
const pi0 = [
  [0.4, 0.3, 0.15, 0.1, 0.05],
  [0.05, 0.1, 0.15, 0.3, 0.4],
  [0.3, 0.3, 0.05, 0.3, 0.05],
];
const piE = [
  [0.05, 0.05, 0.1, 0.2, 0.6],
  [0.6, 0.2, 0.1, 0.05, 0.05],
  [0.1, 0.1, 0.6, 0.1, 0.1],
];
const truth = mu.reduce((s, row, x) => s + row.reduce((t, m, a) => t + piE[x]![a]! * m, 0) / 3, 0);

function pick(rng: Rng, p: readonly number[]): number {
  let u = rng.next();
  for (let a = 0; a < p.length - 1; a++) if ((u -= p[a]!) < 0) return a;
  return p.length - 1;
}

/** One logged data set, plus reward-model predictions q̂ = μ + bias + noise. */
function simulate(seed: number, n = N, modelBias = 0, modelNoise = 0.02): BanditData & RewardModelData {
  const rng = xoshiro128ss([seed + 1, 17, 29, 31]);
  const d = { rewards: [] as number[], propensities: [] as number[], targetProbabilities: [] as number[], qLogged: [] as number[], qTarget: [] as number[] };
  for (let i = 0; i < n; i++) {
    const x = Math.floor(rng.next() * 3);
    const a = pick(rng, pi0[x]!);
    const q = mu[x]!.map((m) => m + modelBias + modelNoise * (rng.next() - 0.5));
    d.rewards.push(rng.next() < mu[x]![a]! ? 1 : 0);
    d.propensities.push(pi0[x]![a]!);
    d.targetProbabilities.push(piE[x]![a]!);
    d.qLogged.push(q[a]!);
    d.qTarget.push(q.reduce((s, qa, b) => s + piE[x]![b]! * qa, 0));
  }
  return d;
}

const data = Array.from({ length: SEEDS }, (_, s) => simulate(s));
const covered = (es: Estimate[]) => es.filter((e) => e.ci[0] <= truth && truth <= e.ci[1]).length;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => mean(xs.map((x) => (x - mean(xs)) ** 2));

describe('bandit estimators cover the true value (100 seeds × 1000 decisions)', () => {
  for (const [name, est] of [
    ['IPS', (d: (typeof data)[number]) => ips(d)],
    ['SNIPS', (d: (typeof data)[number]) => snips(d)],
    ['DR', (d: (typeof data)[number]) => doublyRobust(d)],
    ['DM with a good model', (d: (typeof data)[number]) => directMethod(d)],
  ] as const) {
    it(`${name}: 95% CI covers the truth in ≥ 88/100 seeds, and the mean is within 4 standard errors`, () => {
      const es = data.map(est);
      expect(covered(es)).toBeGreaterThanOrEqual(88);
      const m = mean(es.map((e) => e.estimate));
      expect(Math.abs(m - truth)).toBeLessThan(4 * Math.sqrt(variance(es.map((e) => e.estimate)) / SEEDS));
      // Calibrated, not vacuous: the mean width matches 2 · 1.96 · (spread of the estimate across seeds).
      const widthRatio = mean(es.map((e) => e.ci[1] - e.ci[0])) / (2 * 1.96 * Math.sqrt(variance(es.map((e) => e.estimate))));
      expect(widthRatio).toBeGreaterThan(0.75);
      expect(widthRatio).toBeLessThan(1.33);
    });
  }

  it('negative case: IPS with wrong weights (uniform 1/K logged instead of the real π_0) fails coverage', () => {
    const wrong = data.map((d) => ips({ ...d, propensities: d.propensities.map(() => 1 / K) }));
    expect(covered(wrong)).toBeLessThan(50);
  });

  it('negative case: IPS without importance weights (the logging policy’s own value) fails coverage', () => {
    const unweighted = data.map((d) => ips({ ...d, targetProbabilities: d.propensities }));
    expect(covered(unweighted)).toBeLessThan(50);
  });

  it('DR has much lower variance than IPS when the reward model is good', () => {
    const vIps = variance(data.map((d) => ips(d).estimate));
    const vDr = variance(data.map((d) => doublyRobust(d).estimate));
    expect(vDr).toBeLessThan(0.5 * vIps);
  });

  it('DR stays unbiased with a biased reward model, where DM does not', () => {
    const biased = Array.from({ length: SEEDS }, (_, s) => simulate(s, N, 0.15));
    expect(covered(biased.map((d) => doublyRobust(d)))).toBeGreaterThanOrEqual(88);
    expect(covered(biased.map((d) => directMethod(d)))).toBeLessThan(10);
  });

  it('clipped IPS trades bias for variance: lower variance, biased downward for rewards ≥ 0', () => {
    const cl = data.map((d) => clippedIps(d, 2).estimate);
    expect(variance(cl)).toBeLessThan(variance(data.map((d) => ips(d).estimate)));
    expect(mean(cl)).toBeLessThan(truth - 0.05);
  });

  it('bootstrap intervals cover too (40 seeds × 400 decisions, 300 resamples)', () => {
    const es = Array.from({ length: 40 }, (_, s) => ips(simulate(1000 + s, 400), { method: 'bootstrap', rng: xoshiro128ss([s + 1, 2, 3, 4]), resamples: 300 }));
    expect(covered(es)).toBeGreaterThanOrEqual(34);
  });
});

describe('per-position slate IPS on epsilon-greedy logs (100 seeds × 500 impressions)', () => {
  const ranked = Array.from({ length: 8 }, (_, i) => ({ item: `r${i}`, score: 8 - i }));
  const input: SlateInput = { ranked, pool: ['p0', 'p1', 'p2', 'p3'], k: 3 };
  const ctr: Record<string, number> = { r0: 0.5, r1: 0.45, r2: 0.4, r3: 0.2, r4: 0.15, r5: 0.1, r6: 0.1, r7: 0.1, p0: 0.6, p1: 0.05, p2: 0.3, p3: 0.02 };
  const positionBias = [1, 0.7, 0.5];
  const target = epsilonGreedy.marginals(input, { epsilon: 0.1 });
  const truthSlate = target.reduce((s, row, l) => s + [...row].reduce((t, [x, p]) => t + p * ctr[x]! * positionBias[l]!, 0), 0);

  const itemsOf: string[][][] = [];
  const logs = Array.from({ length: SEEDS }, (_, s) => {
    const rng = xoshiro128ss([s + 1, 5, 5, 5]);
    itemsOf[s] = [];
    const rows = { rewards: [] as number[][], propensities: [] as number[][], targetProbabilities: [] as number[][], slateP: [] as number[][] };
    for (let i = 0; i < 500; i++) {
      const slate = epsilonGreedy.sample(input, { epsilon: 0.3 }, rngForImpression(`${s}-${i}`));
      itemsOf[s]!.push(slate.items.map((it) => it.item_id));
      rows.rewards.push(slate.items.map((it) => (rng.next() < ctr[it.item_id]! * positionBias[it.position]! ? 1 : 0)));
      rows.propensities.push(slate.items.map((it) => it.propensity));
      rows.targetProbabilities.push(slate.items.map((it) => target[it.position]!.get(it.item_id) ?? 0));
      rows.slateP.push(slate.items.map(() => slate.slate_propensity));
    }
    return rows;
  });

  it('covers the true value of epsilon = 0.1 in ≥ 88/100 seeds', () => {
    const es = logs.map((d) => slateIps(d));
    expect(covered2(es, truthSlate)).toBeGreaterThanOrEqual(88);
    expect(es[0]!.ess).toBeGreaterThan(100);
  });

  it('self-normalised (slate SNIPS, the gate estimator) covers it in ≥ 88/100 seeds, with no more spread than IPS', () => {
    const es = logs.map((d) => slateIps(d, { selfNormalize: true }));
    expect(es[0]!.estimator).toBe('slate-snips');
    expect(covered2(es, truthSlate)).toBeGreaterThanOrEqual(88);
    const spread = (xs: Estimate[]) => variance(xs.map((e) => e.estimate));
    expect(spread(es)).toBeLessThanOrEqual(spread(logs.map((d) => slateIps(d))) * 1.05);
    // Self-normalising forgives a per-position rescaling of the weights (so the whole-slate
    // probability case no longer fails it), not weights of the wrong policy: target marginals
    // taken under uniform slates (ε = 1) value that policy, and miss the truth of ε = 0.1.
    const uniform = epsilonGreedy.marginals(input, { epsilon: 1 });
    const wrongTarget = logs.map((d, s) => slateIps({ ...d, targetProbabilities: d.rewards.map((row, i) => row.map((_, l) => uniform[l]!.get(itemsOf[s]![i]![l]!) ?? 0)) }, { selfNormalize: true }));
    expect(covered2(wrongTarget, truthSlate)).toBeLessThan(50);
  });

  it('negative case: the whole-slate probability used as a per-position propensity fails coverage', () => {
    const wrong = logs.map((d) => slateIps({ ...d, propensities: d.slateP }));
    expect(covered2(wrong, truthSlate)).toBeLessThan(50);
  });

  // The gate's estimator: slate DR over the cross-fitted item-position model, and over a wrong one.
  const modelValue = (q: (item: string, l: number) => number) => target.reduce((v, row, l) => v + [...row].reduce((t, [x, p]) => t + p * q(x, l), 0), 0);
  const withModel = (d: (typeof logs)[number], s: number, q: (i: number, item: string, l: number) => number) => ({
    ...d,
    qLogged: itemsOf[s]!.map((items, i) => items.map((x, l) => q(i, x, l))),
    qTarget: itemsOf[s]!.map((_, i) => modelValue((x, l) => q(i, x, l))),
  });
  const fitted = logs.map((d, s) => {
    const models = crossFitModels(itemsOf[s]!.map((items, i) => ({ id: `${s}-${i}`, items: items.map((x, l) => ({ item_id: x, position: l, reward: d.rewards[i]![l]! })) })));
    return withModel(d, s, (i, x, l) => predictReward(models[i]!, x, l));
  });

  it('slate DR with the cross-fitted item-position model covers it in ≥ 88/100 seeds, with about slate SNIPS’s spread', () => {
    const es = fitted.map((d) => slateDr(d));
    expect(es[0]!.estimator).toBe('slate-dr');
    expect(fitted.map((d) => slateDr(d, { clip: 20 }).estimate)).toEqual(es.map((e) => e.estimate)); // no weight here reaches 20
    expect(covered2(es, truthSlate)).toBeGreaterThanOrEqual(88);
    const spread = (xs: Estimate[]) => variance(xs.map((e) => e.estimate));
    // Where the log covers the target well (here ε = 0.3 over 12 items) DR buys coverage of what
    // the log misses, not variance: measured 1.03× slate SNIPS's spread (plain slate IPS: 1.17×).
    expect(spread(es)).toBeLessThan(1.15 * spread(logs.map((d) => slateIps(d, { selfNormalize: true }))));
  });

  it('slate DR stays on target with a wrong reward model (q̂ = 0.5 everywhere), where the model alone misses', () => {
    const wrong = logs.map((d, s) => withModel(d, s, () => 0.5));
    expect(covered2(wrong.map((d) => slateDr(d)), truthSlate)).toBeGreaterThanOrEqual(88);
    const dmOnly = wrong.map((d) => slateDr({ ...d, targetProbabilities: d.targetProbabilities.map((row) => row.map(() => 0)) }));
    expect(covered2(dmOnly, truthSlate)).toBeLessThan(10);
  });
});

describe('slate DR under a cascade (readers stop after a click; 100 seeds × 2,000 impressions)', () => {
  // The same lists as above, read top-down: reach_{l+1} = reach_l · (1 − stop · a_l) · e_{l+1}/e_l.
  const ranked = Array.from({ length: 8 }, (_, i) => ({ item: `r${i}`, score: 8 - i }));
  const input: SlateInput = { ranked, pool: ['p0', 'p1', 'p2', 'p3'], k: 3 };
  const attract: Record<string, number> = { r0: 0.6, r1: 0.55, r2: 0.5, r3: 0.3, r4: 0.25, r5: 0.2, r6: 0.2, r7: 0.2, p0: 0.7, p1: 0.1, p2: 0.4, p3: 0.05 };
  const reading = [1, 0.8, 0.65];
  const stop = 0.6;
  const clicks = (items: readonly string[]) => {
    let reach = 1;
    return items.reduce((v, x, l) => {
      const r = l > 0 ? (reach * reading[l]!) / reading[l - 1]! : 1;
      reach = r * (1 - stop * attract[x]!);
      return v + r * attract[x]!;
    }, 0);
  };
  // The truth of ε = 0.1: the mean of exact expected clicks over 200,000 of its slates.
  const truth = (() => {
    let v = 0;
    for (let i = 0; i < 200_000; i++) v += clicks(epsilonGreedy.sample(input, { epsilon: 0.1 }, rngForImpression(`truth-${i}`)).items.map((it) => it.item_id));
    return v / 200_000;
  })();
  const target = epsilonGreedy.marginals(input, { epsilon: 0.1 });
  const runs = Array.from({ length: SEEDS }, (_, s) => {
    const rng = xoshiro128ss([s + 1, 6, 6, 6]);
    const slates = Array.from({ length: 2000 }, (_, i) => {
      const slate = epsilonGreedy.sample(input, { epsilon: 0.3 }, rngForImpression(`c${s}-${i}`));
      let reading_ = true;
      const items = slate.items.map((it, l) => {
        if (l > 0 && reading_) reading_ = rng.next() < reading[l]! / reading[l - 1]!;
        const click = reading_ && rng.next() < attract[it.item_id]!;
        if (click && rng.next() < stop) reading_ = false;
        return { item_id: it.item_id, position: l, reward: click ? 1 : 0, explored: it.explored === true, propensity: it.propensity };
      });
      return { id: `c${s}-${i}`, items };
    });
    const models = crossFitModels(slates);
    const data = {
      rewards: slates.map((sl) => sl.items.map((it) => it.reward)),
      propensities: slates.map((sl) => sl.items.map((it) => it.propensity)),
      targetProbabilities: slates.map((sl) => sl.items.map((it) => target[it.position]!.get(it.item_id) ?? 0)),
      qLogged: slates.map((sl, i) => predictLogged(models[i]!, sl.items)),
      qTarget: models.map((m) => tableValue(m, target)),
    };
    return { data, models };
  });

  it('the reward model finds the stop, and prices the target near its truth only with it', () => {
    expect(runs.every((r) => r.models.every((m) => m.stop !== undefined && Math.abs(m.stop - stop) < 0.1))).toBe(true);
    const dm = (strip: boolean) => mean(runs.map((r) => mean(r.models.map((m) => tableValue(strip ? { ...m, stop: undefined } : m, target))))) / truth;
    // Measured 0.994 with the stop, 1.32 summed by position without it.
    expect(Math.abs(dm(false) - 1)).toBeLessThan(0.02);
    expect(dm(true)).toBeGreaterThan(1.2);
  });

  it('corrected at the top only (the first term of cascade DR), slate DR covers the truth in ≥ 80/100 seeds', () => {
    const top = runs.map((r) => slateDr(r.data, { corrected: r.models.map(() => 1) }));
    const none = runs.map((r) => slateDr(r.data, { corrected: r.models.map(() => 0) }));
    // Measured 85 (mean error −0.4% of the truth: the model's product of mean reading for a random
    // slate). Every slot corrected covers 96 here: where the model is right given the clicks above,
    // the lower slots' residuals average out too; in the world suite's cascade, where it is less
    // so and the candidate picked its items on the same logs, they did not (docs/learning-history.md,
    // the twenty-seventh session), and the top slot is the one a log of marginals weighs exactly.
    expect(covered2(top, truth)).toBeGreaterThanOrEqual(80);
    // Corrected nowhere, the estimate is the model's alone (its interval the contexts' spread only:
    // it covered 1 of 100).
    none.forEach((e, s) => expect(e.estimate).toBeCloseTo(mean(runs[s]!.data.qTarget), 12));
  });
});

function covered2(es: Estimate[], t: number): number {
  return es.filter((e) => e.ci[0] <= t && t <= e.ci[1]).length;
}
