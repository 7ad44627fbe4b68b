import { describe, expect, it } from 'vitest';
import {
  decayingEpsilon,
  epsilonGreedy,
  slateMarginals,
  softmax,
  thompson,
  ucb,
  ucbIndex,
  type BetaPosterior,
  type SlateInput,
  type SlateResult,
} from '../../shared/explore/index.js';
import { rngForImpression, xoshiro128ss } from '../../shared/rng.js';

/**
 * The propensity contract for every strategy: over many seeded replays of one request, the
 * frequency f of each (position, item) pair matches the probability the strategy logs, within a
 * 4-sigma binomial bound |f − p| ≤ 4·sqrt(p(1 − p)/S). For Monte-Carlo propensities the bound
 * adds their stated error: 4 standard errors of the mean logged estimate plus the documented
 * (1 − p)/(R + 1) bias of p̂ = (1 + X)/(R + 1). The seeds are fixed, so every run is the same.
 */

const ranked = [
  { item: 'r0', score: 2.0 },
  { item: 'r1', score: 1.6 },
  { item: 'r2', score: 1.1 },
  { item: 'r3', score: 0.9 },
  { item: 'r4', score: 0.4 },
  { item: 'r5', score: 0.2 },
];
// r3 is both ranked and in the pool, r5 is excluded: the candidate set is r0 … r4, p0, p1.
const pool = ['p0', 'p1', 'r3'];
const base: SlateInput = { ranked, pool, k: 3, exclude: new Set(['r5']) };
const candidates = ['r0', 'r1', 'r2', 'r3', 'r4', 'p0', 'p1'];

type Table = Array<Map<string, number>>;
const key = (i: number, item: string) => `${i}|${item}`;

interface Tally {
  S: number;
  counts: Map<string, number>;
  /** Sum of logged propensities and of their stated standard errors per pair. */
  sumP: Map<string, number>;
  sumSe: Map<string, number>;
  results: SlateResult[];
}

function tally(S: number, draw: (n: number) => SlateResult): Tally {
  const t: Tally = { S, counts: new Map(), sumP: new Map(), sumSe: new Map(), results: [] };
  for (let n = 0; n < S; n++) {
    const r = draw(n);
    if (n < 200) t.results.push(r);
    for (const it of r.items) {
      const k = key(it.position, it.item_id);
      t.counts.set(k, (t.counts.get(k) ?? 0) + 1);
      t.sumP.set(k, (t.sumP.get(k) ?? 0) + it.propensity);
      t.sumSe.set(k, (t.sumSe.get(k) ?? 0) + (it.propensity_se ?? 0));
    }
  }
  return t;
}

/** Pairs whose frequency is outside the 4σ bound around `exact`, over every pair with mass in either. */
function frequencyViolations(t: Tally, exact: Table): string[] {
  const bad: string[] = [];
  const keys = new Set([...t.counts.keys(), ...exact.flatMap((row, i) => [...row.keys()].map((x) => key(i, x)))]);
  for (const k of keys) {
    const [pos, item] = k.split('|') as [string, string];
    const p = exact[Number(pos)]?.get(item) ?? 0;
    const f = (t.counts.get(k) ?? 0) / t.S;
    if (Math.abs(f - p) > 4 * Math.sqrt(Math.max(p * (1 - p), 1e-12) / t.S)) bad.push(`${k}: f=${f.toFixed(4)} p=${p.toFixed(4)}`);
  }
  return bad;
}

/** Pairs whose frequency disagrees with the mean logged propensity beyond 4σ + the stated MC error. */
function loggedViolations(t: Tally, replays: number | undefined): string[] {
  const bad: string[] = [];
  for (const [k, c] of t.counts) {
    const f = c / t.S;
    const pBar = t.sumP.get(k)! / c;
    const seBar = t.sumSe.get(k)! / c;
    const mc = replays === undefined ? 0 : 4 * (seBar / Math.sqrt(c)) + (1 - f) / (replays + 1);
    if (Math.abs(f - pBar) > 4 * Math.sqrt(Math.max(f * (1 - f), 1e-12) / t.S) + mc) bad.push(`${k}: f=${f.toFixed(4)} logged=${pBar.toFixed(4)}`);
  }
  return bad;
}

/** Exact Plackett–Luce marginals by enumerating every ordered slate. */
function plackettLuceTable(items: string[], logits: number[], L: number): Table {
  const table: Table = Array.from({ length: L }, () => new Map());
  const w = logits.map(Math.exp);
  const go = (prefix: number[], p: number) => {
    if (prefix.length === L) {
      prefix.forEach((j, i) => table[i]!.set(items[j]!, (table[i]!.get(items[j]!) ?? 0) + p));
      return;
    }
    const left = w.reduce((s, x, j) => (prefix.includes(j) ? s : s + x), 0);
    for (let j = 0; j < items.length; j++) if (!prefix.includes(j)) go([...prefix, j], (p * w[j]!) / left);
  };
  go([], 1);
  return table;
}

/** Exact Thompson marginals for integer Beta parameters: ∫ f_x(θ) P(exactly i others above θ) dθ, Simpson's rule. */
function thompsonTable(items: string[], post: BetaPosterior[], L: number): Table {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const choose = (n: number, j: number) => fact(n) / (fact(j) * fact(n - j));
  const pdf = ({ alpha: a, beta: b }: BetaPosterior, x: number) => (x ** (a - 1) * (1 - x) ** (b - 1) * fact(a + b - 1)) / (fact(a - 1) * fact(b - 1));
  const cdf = ({ alpha: a, beta: b }: BetaPosterior, x: number) => {
    let s = 0;
    for (let j = a; j <= a + b - 1; j++) s += choose(a + b - 1, j) * x ** j * (1 - x) ** (a + b - 1 - j);
    return s;
  };
  const table: Table = Array.from({ length: L }, () => new Map());
  const M = 2000;
  for (let x = 0; x < items.length; x++) {
    const acc = new Array<number>(L).fill(0);
    for (let m = 0; m <= M; m++) {
      const th = m / M;
      const wgt = (m === 0 || m === M ? 1 : m % 2 === 1 ? 4 : 2) / (3 * M);
      // Poisson-binomial over the others: dist[c] = P(c of them are above θ).
      let dist = [1];
      for (let y = 0; y < items.length; y++) {
        if (y === x) continue;
        const q = 1 - cdf(post[y]!, th);
        const next = new Array<number>(dist.length + 1).fill(0);
        dist.forEach((d, c) => {
          next[c]! += d * (1 - q);
          next[c + 1]! += d * q;
        });
        dist = next;
      }
      const f = pdf(post[x]!, th);
      for (let i = 0; i < L; i++) acc[i]! += wgt * f * dist[i]!;
    }
    acc.forEach((p, i) => table[i]!.set(items[x]!, p));
  }
  return table;
}

describe('decaying epsilon (exact propensities)', () => {
  const params = { epsilon_0: 0.6, epsilon_min: 0.05, tau: 10 };
  const input: SlateInput = { ...base, history_length: 10 };
  const t = tally(40_000, (n) => decayingEpsilon.sample(input, params, rngForImpression(`de-${n}`)));

  it('is epsilon-greedy at epsilon_n = max(epsilon_min, epsilon_0 / (1 + n / tau))', () => {
    const r = decayingEpsilon.sample(input, params, rngForImpression('x'));
    expect(r.effective_params).toEqual({ epsilon: 0.3, n: 10 });
    const { propensity_method: _m, effective_params: _e, ...rest } = r;
    expect(rest).toEqual(epsilonGreedy.sample(input, { epsilon: 0.3 }, rngForImpression('x')));
    expect(decayingEpsilon.marginals({ ...base, history_length: 1000 }, params)).toEqual(epsilonGreedy.marginals(base, { epsilon: 0.05 }));
  });

  it('frequencies match the logged propensities and the marginal table within 4σ', () => {
    expect(loggedViolations(t, undefined)).toEqual([]);
    expect(frequencyViolations(t, decayingEpsilon.marginals(input, params))).toEqual([]);
  });

  it('detects a propensity logged with the undecayed epsilon_0', () => {
    expect(frequencyViolations(t, epsilonGreedy.marginals(input, { epsilon: params.epsilon_0 })).length).toBeGreaterThan(5);
  });
});

describe('UCB (exact propensities)', () => {
  const posteriors = new Map<string, BetaPosterior>([
    ['r0', { alpha: 2, beta: 30 }],
    ['r1', { alpha: 9, beta: 11 }],
    ['r2', { alpha: 30, beta: 70 }],
    ['p1', { alpha: 1, beta: 4 }],
  ]);
  const input: SlateInput = { ...base, posteriors };
  const params = { c: 1, epsilon: 0.25, prior_alpha: 1, prior_beta: 1 };
  const t = tally(40_000, (n) => ucb.sample(input, params, rngForImpression(`ucb-${n}`)));

  it('exploits in order of posterior mean + c·sd, unknown items first (optimism)', () => {
    const r = ucb.sample(input, { ...params, epsilon: 0 }, rngForImpression('x'));
    expect(r.items.map((x) => x.item_id)).toEqual(['r3', 'r4', 'p0']); // prior Beta(1,1): 0.5 + 0.289, ties in model order
    expect(r.items[0]!.score).toBeCloseTo(ucbIndex(1, 1, 1), 12);
    expect(r.items.every((x) => x.propensity === 1)).toBe(true);
  });

  it('frequencies match the logged propensities within 4σ', () => {
    expect(loggedViolations(t, undefined)).toEqual([]);
    expect(frequencyViolations(t, ucb.marginals(input, params))).toEqual([]);
  });
});

describe('annealed softmax (Monte-Carlo propensities)', () => {
  const R = 200;
  const params = { temperature_0: 1, alpha: 0.5, temperature_min: 0.05, anneal_by: 'generation' as const, replays: R };
  const input: SlateInput = { ...base, generation: 1 }; // T = 0.5
  const scores = [2.0, 1.6, 1.1, 0.9, 0.4, 0.4, 0.4]; // unranked pool items get the lowest score
  const exact = plackettLuceTable(candidates, scores.map((s) => s / 0.5), 3);
  const t = tally(20_000, (n) => softmax.sample(input, params, rngForImpression(`sm-${n}`)));

  it('anneals T_t = T_0 (1 − alpha)^t and reports it', () => {
    expect(t.results[0]!.effective_params).toEqual({ temperature: 0.5, t: 1 });
    expect(t.results[0]!.propensity_method).toBe('monte_carlo');
    expect(t.results[0]!.replays).toBe(R);
  });

  it('empirical frequencies match the exact Plackett–Luce marginals within 4σ', () => {
    expect(frequencyViolations(t, exact)).toEqual([]);
  });

  it('frequencies match the mean logged propensity within 4σ + the stated Monte-Carlo error', () => {
    expect(loggedViolations(t, R)).toEqual([]);
  });

  it('each logged propensity is within 4 stated standard errors (+ bias) of the exact marginal', () => {
    let bad = 0;
    let total = 0;
    for (let n = 0; n < 2000; n++) {
      for (const it of softmax.sample(input, params, rngForImpression(`sm2-${n}`)).items) {
        const p = exact[it.position]!.get(it.item_id)!;
        total++;
        if (Math.abs(it.propensity - p) > 4 * Math.sqrt((p * (1 - p)) / (R + 1)) + 1 / (R + 1)) bad++;
      }
    }
    expect(bad / total).toBeLessThan(0.005);
  });

  it('slate_propensity is the exact product of sequential choice probabilities', () => {
    for (const r of t.results.slice(0, 20)) {
      const ids = r.items.map((x) => x.item_id);
      const w = scores.map((s) => Math.exp(s / 0.5));
      let p = 1;
      let left = w.reduce((a, b) => a + b, 0);
      for (const id of ids) {
        const wj = w[candidates.indexOf(id)]!;
        p *= wj / left;
        left -= wj;
      }
      expect(r.slate_propensity).toBeCloseTo(p, 12);
    }
  });

  it('Monte-Carlo marginals (X/R) match the exact table within 4σ and rows sum to 1', () => {
    const R2 = 20_000;
    const mc = softmax.marginals(input, params, { rng: xoshiro128ss([1, 2, 3, 4]), replays: R2 });
    mc.forEach((row, i) => {
      expect([...row.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const [item, p] of exact[i]!) expect(Math.abs((row.get(item) ?? 0) - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / R2));
    });
    expect(() => softmax.marginals(input, params)).toThrow('softmax marginals are Monte-Carlo estimates: pass { rng }');
  });

  it('detects the naive propensity w_x / Σw (the first-position probability) at every position', () => {
    const W = scores.reduce((a, s) => a + Math.exp(s / 0.5), 0);
    const naive: Table = exact.map(() => new Map(candidates.map((x, j) => [x, Math.exp(scores[j]! / 0.5) / W])));
    expect(frequencyViolations(t, naive).length).toBeGreaterThan(5);
  });

  it('replays: the same impression id gives the same slate and propensities', () => {
    expect(softmax.sample(input, params, rngForImpression('same'))).toEqual(softmax.sample(input, params, rngForImpression('same')));
  });
});

describe('Thompson sampling (Monte-Carlo propensities)', () => {
  const R = 100;
  const post: BetaPosterior[] = [
    { alpha: 3, beta: 7 },
    { alpha: 2, beta: 2 },
    { alpha: 5, beta: 5 },
    { alpha: 1, beta: 3 },
    { alpha: 2, beta: 6 },
    { alpha: 1, beta: 1 }, // p0: no posterior given, the prior
    { alpha: 4, beta: 2 },
  ];
  const posteriors = new Map(candidates.map((x, j) => [x, post[j]!] as const).filter(([x]) => x !== 'p0'));
  const input: SlateInput = { ...base, posteriors };
  const params = { prior_alpha: 1, prior_beta: 1, replays: R };
  const exact = thompsonTable(candidates, post, 3);
  const t = tally(10_000, (n) => thompson.sample(input, params, rngForImpression(`ts-${n}`)));

  it('the numerically integrated exact table is a distribution at every position', () => {
    for (const row of exact) expect([...row.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('empirical frequencies match the exact marginals within 4σ', () => {
    expect(frequencyViolations(t, exact)).toEqual([]);
  });

  it('frequencies match the mean logged propensity within 4σ + the stated Monte-Carlo error', () => {
    expect(loggedViolations(t, R)).toEqual([]);
    expect(t.results[0]!.propensity_method).toBe('monte_carlo');
    expect(t.results.every((r) => r.items.every((x) => x.propensity_se! > 0 && x.propensity_se! < 0.06))).toBe(true);
  });

  it('detects propensities of a policy that ignores the posteriors (uniform ranking)', () => {
    const uniform: Table = exact.map(() => new Map(candidates.map((x) => [x, 1 / candidates.length])));
    expect(frequencyViolations(t, uniform).length).toBeGreaterThan(5);
  });

  it('slateMarginals dispatches with an rng and agrees with the exact table within 4σ', () => {
    const R2 = 20_000;
    const mc = slateMarginals({ name: 'thompson', ...params }, input, { rng: xoshiro128ss([5, 6, 7, 8]), replays: R2 });
    mc.forEach((row, i) => {
      for (const [item, p] of exact[i]!) expect(Math.abs((row.get(item) ?? 0) - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / R2) + 1e-6);
    });
  });
});
