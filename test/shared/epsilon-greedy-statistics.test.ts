import { describe, expect, it } from 'vitest';
import { epsilonGreedy, slateMarginals } from '../../shared/explore/index.js';
import type { SlateInput } from '../../shared/explore/types.js';
import { rngForImpression } from '../../shared/rng.js';

/**
 * The propensity contract: over many replays of one request (one user, fixed artifact), the
 * frequency of every (position, item) pair must match the logged propensity within a 4-sigma
 * binomial bound, |f − p| ≤ 4·sqrt(p(1−p)/N). With ~100 pairs a correct sampler fails this with
 * probability < 1%; the seeds are fixed, so the test is deterministic.
 */
const N = 100_000;

const ranked = Array.from({ length: 30 }, (_, i) => ({ item: `r${i}`, score: 30 - i }));
// The pool overlaps the ranking (r2, r7 are in the top-k) and holds an excluded item: both must be
// handled for propensities to be right.
const pool = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'r2', 'r7', 'r25', 'gone'];
const input: SlateInput = { ranked, pool, k: 10, exclude: new Set(['r1', 'gone']) };
const epsilon = 0.3;
type Params = { epsilon: number; position_weights?: number[] };

function replay(params: Params): { counts: Map<string, number>; logged: Map<string, number> } {
  const counts = new Map<string, number>();
  const logged = new Map<string, number>();
  for (let n = 0; n < N; n++) {
    const s = epsilonGreedy.sample(input, params, rngForImpression(`imp-${n}`));
    for (const it of s.items) {
      const key = `${it.position}|${it.item_id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const prev = logged.get(key);
      if (prev !== undefined && prev !== it.propensity) throw new Error(`propensity of ${key} changed between replays`);
      logged.set(key, it.propensity);
    }
  }
  return { counts, logged };
}

/** Pairs whose frequency is outside the 4-sigma bound of the propensity `p(pair)`. */
function violations(counts: Map<string, number>, p: (key: string) => number, params: Params = { epsilon }): string[] {
  const bad: string[] = [];
  const keys = new Set([...counts.keys(), ...[...Array(input.k).keys()].flatMap((i) => [...(slateMarginals({ name: 'epsilon-greedy', ...params }, input)[i]?.keys() ?? [])].map((it) => `${i}|${it}`))]);
  for (const key of keys) {
    const f = (counts.get(key) ?? 0) / N;
    const q = p(key);
    const sigma = Math.sqrt(Math.max(q * (1 - q), 1e-12) / N);
    if (Math.abs(f - q) > 4 * sigma) bad.push(`${key}: frequency ${f.toFixed(5)} vs propensity ${q.toFixed(5)}`);
  }
  return bad;
}

describe('epsilon-greedy logged propensities (100k seeded replays)', () => {
  const { counts, logged } = replay({ epsilon });

  it('match empirical (position, item) frequencies within 4 sigma', () => {
    const table = slateMarginals({ name: 'epsilon-greedy', epsilon }, input);
    for (const [key, p] of logged) {
      const [pos, item] = key.split('|') as [string, string];
      expect(table[Number(pos)]!.get(item)).toBe(p);
    }
    expect(violations(counts, (key) => logged.get(key) ?? 0)).toEqual([]);
    expect(counts.size).toBeGreaterThan(60);
  });

  it('never shows excluded items, and every position sums to probability 1', () => {
    expect([...counts.keys()].some((k) => k.endsWith('|r1') || k.endsWith('|gone'))).toBe(false);
    for (const row of slateMarginals({ name: 'epsilon-greedy', epsilon }, input)) {
      expect([...row.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it('detects a wrong propensity that ignores de-duplication and shifting', () => {
    // The textbook formula: ε/|pool| for pool items, plus 1−ε for the item ranked at this position.
    // It ignores exclusions, the pool/ranking overlap and exploited items shifting down.
    const rankedAfterExclude = ranked.filter((r) => r.item !== 'r1');
    const naive = (key: string): number => {
      const [pos, item] = key.split('|') as [string, string];
      const i = Number(pos);
      return (pool.includes(item) ? epsilon / pool.length : 0) + (rankedAfterExclude[i]?.item === item ? 1 - epsilon : 0);
    };
    expect(violations(counts, naive).length).toBeGreaterThan(10);
  });
});

/** Position weights (explore low in the slate) keep the propensities exact: same 4σ contract. */
describe('epsilon-greedy with position weights (100k seeded replays)', () => {
  const params: Params = { epsilon: 0.25, position_weights: [0.1, 0.3, 0.6, 1, 1.5, 2.5] };
  const { counts, logged } = replay(params);

  it('match empirical (position, item) frequencies within 4 sigma', () => {
    const table = slateMarginals({ name: 'epsilon-greedy', ...params }, input);
    for (const [key, p] of logged) {
      const [pos, item] = key.split('|') as [string, string];
      expect(table[Number(pos)]!.get(item)).toBe(p);
    }
    expect(violations(counts, (key) => logged.get(key) ?? 0, params)).toEqual([]);
  });

  it('explores less at the top than at the bottom, and the unweighted propensities are rejected', () => {
    const table = slateMarginals({ name: 'epsilon-greedy', ...params }, input);
    const explored = (i: number) => [...table[i]!.entries()].filter(([item]) => item.startsWith('p')).reduce((a, [, q]) => a + q, 0);
    expect(explored(0)).toBeLessThan(0.03);
    expect(explored(9)).toBeGreaterThan(0.4);
    const flat = slateMarginals({ name: 'epsilon-greedy', epsilon: 0.25 }, input);
    expect(violations(counts, (key) => { const [pos, item] = key.split('|') as [string, string]; return flat[Number(pos)]!.get(item) ?? 0; }, params).length).toBeGreaterThan(10);
  });
});
