import { describe, expect, it } from 'vitest';
import { xoshiro128ss, seedFromString } from '../../shared/rng.js';
import { baselineValues, bestGlobalList, oracleOfRow, topK } from '../../worlds/baselines.js';
import { DEMO_WORLD, FAMILIES, FAMILY_NAMES, withOverrides } from '../../worlds/families.js';
import { clickModel, expectedClicks, positionValues, sampleClicks, type ClickModel } from '../../worlds/sim/click-model.js';
import { roundVisits } from '../../worlds/sim/visits.js';
import { World } from '../../worlds/sim/world.js';

const MODELS: Record<string, ClickModel> = {
  'pbm, 1/log2(p+2)': clickModel('pbm', { kind: 'log2' }, 10),
  'pbm, 0.95·0.8^p': clickModel('pbm', { kind: 'geometric', decay: 0.8, top: 0.95 }, 10),
  'cascade, stop 0.5': clickModel('cascade', { kind: 'log2' }, 10, 0.5),
  'cascade, stop 1, 0.9^p': clickModel('cascade', { kind: 'geometric', decay: 0.9, top: 1 }, 10, 1),
};

/** All ordered k-subsets of [0, n). */
function arrangements(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  return arrangements(n, k - 1).flatMap((a) => Array.from({ length: n }, (_, i) => i).filter((i) => !a.includes(i)).map((i) => [...a, i]));
}

/** A small world of a family, for the maths (the suite's sizes are for the closed loop). */
function smallWorld(family: keyof typeof FAMILIES, seed: string): World {
  return new World(withOverrides({ ...FAMILIES[family], seed }, ['users=80', 'items=150', 'newUsersPerRound=10', 'newItemsPerRound=10', 'goodNewItemsPerRound=2']), 0);
}

describe('click models', () => {
  // Each position's click is a Bernoulli variable with P = positionValues[p]; over N seeded
  // replays its count must be within 4 binomial standard deviations of N·P (P(fail) ≈ 6e-5 each).
  for (const [name, m] of Object.entries(MODELS)) {
    it(`${name}: sampled clicks per position match the expected clicks (4σ, 40k replays)`, () => {
      const rng = xoshiro128ss(seedFromString(`clicks:${name}`));
      const a = Array.from({ length: 10 }, (_, p) => [0.9, 0.05, 0.6, 0.3, 0.02, 0.8, 0.4, 0.1, 0.7, 0.5][p]!);
      const q = positionValues(m, a);
      const n = 40_000;
      const counts = new Array<number>(10).fill(0);
      let total = 0;
      let totalSq = 0;
      for (let r = 0; r < n; r++) {
        const c = sampleClicks(m, a, rng);
        const k = c.filter(Boolean).length;
        total += k;
        totalSq += k * k;
        c.forEach((x, p) => (counts[p]! += x ? 1 : 0));
      }
      q.forEach((qp, p) => expect(Math.abs(counts[p]! - n * qp), `position ${p}: ${counts[p]} clicks, expected ${n * qp}`).toBeLessThanOrEqual(4 * Math.sqrt(n * qp * (1 - qp))));
      const mean = total / n;
      const sd = Math.sqrt(totalSq / n - mean * mean);
      expect(Math.abs(mean - expectedClicks(m, a))).toBeLessThanOrEqual((4 * sd) / Math.sqrt(n));
    });
  }

  it('the cascade reads less far than the PBM with the same curve, and order matters in both', () => {
    const pbm = clickModel('pbm', { kind: 'log2' }, 4);
    const cascade = clickModel('cascade', { kind: 'log2' }, 4, 0.5);
    const a = [0.8, 0.6, 0.4, 0.2];
    expect(expectedClicks(cascade, a)).toBeLessThan(expectedClicks(pbm, a));
    for (const m of [pbm, cascade]) expect(expectedClicks(m, a)).toBeGreaterThan(expectedClicks(m, [...a].reverse()));
  });

  it('rejects an examination curve that rises or leaves (0, 1], and a stop outside [0, 1]', () => {
    expect(() => clickModel('pbm', { kind: 'geometric', decay: 1.1, top: 0.5 }, 10)).toThrow(/must not increase/);
    expect(() => clickModel('pbm', { kind: 'geometric', decay: 0.9, top: 1.2 }, 3)).toThrow(/not in \(0, 1\]/);
    expect(() => clickModel('cascade', { kind: 'log2' }, 3, 1.5)).toThrow(/stop/);
  });
});

describe('oracle and best list', () => {
  it('the top k sorted is the best slate for one user, by brute force over every ordered slate', () => {
    const rng = xoshiro128ss(seedFromString('oracle-brute'));
    for (const m of [clickModel('pbm', { kind: 'log2' }, 3), clickModel('cascade', { kind: 'log2' }, 3, 0.5), clickModel('cascade', { kind: 'geometric', decay: 0.7, top: 1 }, 3, 1)]) {
      for (let trial = 0; trial < 30; trial++) {
        const row = Array.from({ length: 7 }, () => rng.next());
        const brute = Math.max(...arrangements(7, 3).map((s) => expectedClicks(m, s.map((i) => row[i]!))));
        expect(oracleOfRow(m, row, 3)).toBeCloseTo(brute, 12);
      }
    }
  });

  it('for the PBM the greedy best list is the exact best non-personalised list (brute force)', () => {
    const rng = xoshiro128ss(seedFromString('best-brute'));
    const m = clickModel('pbm', { kind: 'log2' }, 3);
    const users = 5;
    const n = 7;
    const A = Float64Array.from({ length: users * n }, () => rng.next());
    const w = [1, 3, 2, 1, 4];
    const value = (s: number[]) => w.reduce((acc, wu, u) => acc + wu * expectedClicks(m, s.map((i) => A[u * n + i]!)), 0);
    const brute = Math.max(...arrangements(n, 3).map(value));
    expect(value(bestGlobalList(A, n, w, m, 3))).toBeCloseTo(brute, 12);
  });

  it('topK returns the k largest, largest first', () => {
    expect(topK([0.3, 0.9, 0.1, 0.9, 0.5], 3)).toEqual([1, 3, 4]);
    expect(topK([0.2], 3)).toEqual([0]);
  });

  for (const family of FAMILY_NAMES) {
    it(`${family}: the oracle is ≥ every baseline on every visit, and the best list beats random`, () => {
      const world = smallWorld(family, `${family}-maths`);
      const first = new Map<string, number>();
      const clicks = new Map(world.items.slice(0, 40).map((it, i) => [it.id, 40 - i]));
      for (let round = 0; round <= 2; round++) {
        world.advance(round, 0);
        const visits = roundVisits(world, round, first);
        const b = baselineValues(world, round, visits, clicks);
        expect(visits.length).toBeGreaterThan(0);
        for (let j = 0; j < visits.length; j++) {
          for (const x of [b.random, b.popularity, b.bestGlobal]) expect(x[j]!).toBeLessThanOrEqual(b.oracle[j]! + 1e-12);
        }
        const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
        expect(sum(b.bestGlobal)).toBeGreaterThan(sum(b.random));
        expect(sum(b.bestGlobal)).toBeGreaterThanOrEqual(sum(b.popularity));
      }
    });
  }
});

describe('worlds replay by seed', () => {
  it('the same seed gives the same catalog, visits and cold flags; another seed does not', () => {
    const run = (seed: string) => {
      const w = smallWorld('long-tail', seed);
      const first = new Map<string, number>();
      const out: string[] = [];
      for (let round = 0; round <= 2; round++) {
        w.advance(round, 0);
        out.push(...roundVisits(w, round, first).map((v) => `${round}:${v.user.id}:${v.cold}`));
      }
      return { items: w.items.map((i) => `${i.catalog.text}|${i.quality.toFixed(9)}`), visits: out };
    };
    expect(run('s1')).toEqual(run('s1'));
    expect(run('s1').visits).not.toEqual(run('s2').visits);
  });

  it('the demo world keeps its shape: every user visits 5 times a round; cold = users in their first round', () => {
    const w = new World(DEMO_WORLD, 0);
    const first = new Map<string, number>();
    const r0 = roundVisits(w, 0, first);
    expect(r0.length).toBe(5 * DEMO_WORLD.users);
    expect(r0.every((v) => v.cold)).toBe(true);
    w.advance(1, 0);
    const r1 = roundVisits(w, 1, first);
    expect(r1.length).toBe(5 * (DEMO_WORLD.users + DEMO_WORLD.newUsersPerRound));
    expect(r1.filter((v) => v.cold).length).toBe(5 * DEMO_WORLD.newUsersPerRound);
  });

  it('overrides name their key and check their value', () => {
    expect(withOverrides(FAMILIES.drift, ['items=200', 'quality.sd=1.5', 'click=cascade'])).toMatchObject({ items: 200, quality: { sd: 1.5 }, click: 'cascade' });
    expect(() => withOverrides(FAMILIES.drift, ['itms=3'])).toThrow(/unknown key "itms"/);
    expect(() => withOverrides(FAMILIES.drift, ['items=lots'])).toThrow(/items must be a number/);
    expect(() => withOverrides(FAMILIES.drift, ['contentDims=99'])).toThrow(/contentDims/);
    expect(() => withOverrides(FAMILIES.drift, ['click=dbn'])).toThrow(/pbm or cascade/);
    // Another kind of curve or quality takes its own leaves, which the preset lacks.
    expect(withOverrides(FAMILIES.drift, ['examine.kind=geometric', 'examine.top=0.9', 'examine.decay=0.85'])).toMatchObject({ examine: { kind: 'geometric', top: 0.9, decay: 0.85 } });
    expect(() => withOverrides(FAMILIES.drift, ['examine.kind=geometric'])).toThrow(/examine.top and examine.decay/);
    expect(() => withOverrides(FAMILIES.drift, ['examine.kind=linear'])).toThrow(/examine.kind must be log2 or geometric/);
    expect(() => withOverrides(FAMILIES.drift, ['quality.kind=zipf'])).toThrow(/quality.exponent/);
  });
});

describe('new items', () => {
  it('the very good ones sit at random places among a round\'s new items (catalog order says nothing about quality)', () => {
    const w = smallWorld('long-tail', 'good-places');
    const places = new Set<number>();
    for (let round = 1; round <= 12; round++) {
      const { newItems } = w.advance(round, Date.UTC(2026, 0, round));
      expect(newItems.filter((it) => it.good)).toHaveLength(2);
      newItems.forEach((it, i) => it.good && places.add(i));
    }
    // Always the first two was the old layout; 12 rounds of 2 random places out of 10 cover most.
    expect(places.size).toBeGreaterThanOrEqual(6);
  });
});
