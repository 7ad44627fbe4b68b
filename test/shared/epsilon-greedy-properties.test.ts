import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epsilonGreedy } from '../../shared/explore/index.js';
import { rngForImpression } from '../../shared/rng.js';

const itemId = fc.integer({ min: 0, max: 40 }).map((i) => `i${i}`);
const arbInput = fc.record({
  ranked: fc.array(fc.record({ item: itemId, score: fc.double({ min: -10, max: 10, noNaN: true }) }), { maxLength: 40 }),
  pool: fc.array(itemId, { maxLength: 30 }),
  k: fc.integer({ min: 1, max: 20 }),
  exclude: fc.array(itemId, { maxLength: 10 }).map((a) => new Set(a)),
  epsilon: fc.double({ min: 0, max: 1, noNaN: true }),
  seed: fc.string({ maxLength: 12 }),
});

describe('epsilon-greedy invariants', () => {
  it('no duplicates, k respected, no excluded item, propensities in (0, 1] and equal to the marginal table', () => {
    fc.assert(
      fc.property(arbInput, ({ epsilon, seed, ...input }) => {
        const s = epsilonGreedy.sample(input, { epsilon }, rngForImpression(seed));
        const ids = s.items.map((i) => i.item_id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBeLessThanOrEqual(input.k);
        const distinct = new Set([...input.ranked.map((r) => r.item), ...input.pool].filter((i) => !input.exclude.has(i)));
        expect(ids.length).toBe(Math.min(input.k, distinct.size));
        const table = epsilonGreedy.marginals(input, { epsilon });
        for (const it of s.items) {
          expect(input.exclude.has(it.item_id)).toBe(false);
          expect(it.propensity).toBeGreaterThan(0);
          expect(it.propensity).toBeLessThanOrEqual(1);
          expect(table[it.position]!.get(it.item_id)).toBeCloseTo(it.propensity, 12);
        }
        expect(s.slate_propensity).toBeGreaterThan(0);
        expect(s.slate_propensity).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('every position of the table is a probability distribution', () => {
    fc.assert(
      fc.property(arbInput, ({ epsilon, seed: _seed, ...input }) => {
        for (const row of epsilonGreedy.marginals(input, { epsilon })) {
          const total = [...row.values()].reduce((a, b) => a + b, 0);
          expect(total).toBeCloseTo(1, 9);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('every pool item outside the top-k is reachable with probability at least epsilon/|pool|', () => {
    fc.assert(
      fc.property(arbInput, ({ epsilon, seed: _seed, ...input }) => {
        const table = epsilonGreedy.marginals(input, { epsilon });
        const rankedOk = [...new Set(input.ranked.map((r) => r.item))].filter((i) => !input.exclude.has(i));
        const topK = new Set(rankedOk.slice(0, input.k));
        const pool = [...new Set(input.pool)].filter((i) => !input.exclude.has(i));
        for (const item of pool) {
          if (topK.has(item)) continue; // shown by the ranking already
          const reach = table.reduce((a, row) => a + (row.get(item) ?? 0), 0);
          if (rankedOk.length === 0 || table.length === 0) continue;
          expect(reach).toBeGreaterThanOrEqual(epsilon / pool.length - 1e-12);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('the same impression id replays the same slate', () => {
    const input = { ranked: Array.from({ length: 20 }, (_, i) => ({ item: `r${i}`, score: -i })), pool: ['a', 'b', 'c', 'd'], k: 8 };
    const a = epsilonGreedy.sample(input, { epsilon: 0.5 }, rngForImpression('3f1c'));
    const b = epsilonGreedy.sample(input, { epsilon: 0.5 }, rngForImpression('3f1c'));
    expect(b).toEqual(a);
  });

  it.each([
    [{ epsilon: -0.1 }, /epsilon must be in \[0, 1\]/],
    [{ epsilon: 1.5 }, /epsilon must be in \[0, 1\]/],
    [{ epsilon: Number.NaN }, /epsilon must be in \[0, 1\]/],
  ])('rejects invalid parameters %o', (params, msg) => {
    expect(() => epsilonGreedy.sample({ ranked: [], pool: [], k: 3 }, params, rngForImpression('x'))).toThrow(msg);
  });

  it.each([
    [{ ranked: [], pool: [], k: 0 }, /k must be a positive integer/],
    [{ ranked: [], pool: [], k: 2.5 }, /k must be a positive integer/],
    [{ ranked: [{ item: 'a', score: Number.NaN }], pool: [], k: 2 }, /score of a must be finite/],
  ])('rejects invalid input %#', (input, msg) => {
    expect(() => epsilonGreedy.sample(input, { epsilon: 0.1 }, rngForImpression('x'))).toThrow(msg);
  });
});
