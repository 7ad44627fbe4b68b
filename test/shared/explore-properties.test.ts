import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleSlate, slateMarginals, type BetaPosterior, type SlateInput } from '../../shared/explore/index.js';
import { rngForImpression, xoshiro128ss } from '../../shared/rng.js';
import { StrategySpec } from '../../shared/schemas/strategy.js';

const itemId = fc.integer({ min: 0, max: 30 }).map((i) => `i${i}`);
const posterior = fc.record({ alpha: fc.double({ min: 0.05, max: 50, noNaN: true }), beta: fc.double({ min: 0.05, max: 50, noNaN: true }) });
const arbInput = fc.record({
  ranked: fc.array(fc.record({ item: itemId, score: fc.double({ min: -10, max: 10, noNaN: true }) }), { maxLength: 25 }),
  pool: fc.array(itemId, { maxLength: 12 }),
  k: fc.integer({ min: 1, max: 10 }),
  exclude: fc.array(itemId, { maxLength: 6 }).map((a) => new Set(a)),
  history_length: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
  generation: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
  posteriors: fc.array(fc.tuple(itemId, posterior), { maxLength: 20 }).map((a) => new Map<string, BetaPosterior>(a)),
});
const candidates = fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined });
const arbSpec: fc.Arbitrary<StrategySpec> = fc.oneof(
  fc.record({ name: fc.constant('epsilon-greedy' as const), epsilon: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 100, noNaN: true }))
    .map(([a, b, tau]) => ({ name: 'decaying-epsilon' as const, epsilon_0: Math.max(a, b), epsilon_min: Math.min(a, b), tau })),
  fc
    .tuple(fc.double({ min: 0.05, max: 5, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.constantFrom('generation' as const, 'history' as const), candidates)
    .map(([t0, f, alpha, anneal_by, c]) => ({ name: 'softmax' as const, temperature_0: t0, temperature_min: t0 * f, alpha, anneal_by, candidates: c, replays: 20 })),
  fc.record({ name: fc.constant('thompson' as const), prior_alpha: fc.double({ min: 0.1, max: 5, noNaN: true }), prior_beta: fc.double({ min: 0.1, max: 5, noNaN: true }), candidates, replays: fc.constant(20) }),
  fc.record({ name: fc.constant('ucb' as const), c: fc.double({ min: 0, max: 3, noNaN: true }), epsilon: fc.double({ min: 0, max: 1, noNaN: true }), prior_alpha: fc.double({ min: 0.1, max: 5, noNaN: true }), prior_beta: fc.double({ min: 0.1, max: 5, noNaN: true }), candidates }),
);

/** Distinct shown-able items: ranked (top `candidates` only for the re-ranking strategies) ∪ pool, minus exclusions. */
function reachable(spec: StrategySpec, input: SlateInput): Set<string> {
  const ranked = [...new Set(input.ranked.map((r) => r.item))].filter((i) => !input.exclude?.has(i));
  const top = 'candidates' in spec && spec.candidates !== undefined ? ranked.slice(0, spec.candidates) : ranked;
  return new Set([...top, ...input.pool.filter((i) => !input.exclude?.has(i))]);
}

describe('every strategy in the registry', () => {
  it('specs generated for the test are valid StrategySpecs', () => {
    fc.assert(fc.property(arbSpec, (spec) => void expect(StrategySpec.parse(spec)).toEqual(spec)), { numRuns: 200, seed: 3 });
  });

  it('no duplicates, k respected, nothing excluded, positions 0…L−1, propensities in (0, 1]', () => {
    fc.assert(
      fc.property(arbSpec, arbInput, fc.string({ maxLength: 8 }), (spec, input, seed) => {
        const s = sampleSlate(spec, input, rngForImpression(seed));
        const ids = s.items.map((i) => i.item_id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(Math.min(input.k, reachable(spec, input).size));
        expect(s.items.map((i) => i.position)).toEqual(ids.map((_, i) => i));
        for (const it of s.items) {
          expect(input.exclude.has(it.item_id)).toBe(false);
          expect(it.propensity).toBeGreaterThan(0);
          expect(it.propensity).toBeLessThanOrEqual(1);
          if (s.propensity_method === 'monte_carlo') expect(it.propensity_se).toBeGreaterThanOrEqual(0);
        }
        expect(s.slate_propensity).toBeGreaterThan(0);
        expect(s.slate_propensity).toBeLessThanOrEqual(1 + 1e-12);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('marginal tables: entries in [0, 1], each position sums to 1 where the slate has it, exact logs agree', () => {
    fc.assert(
      fc.property(arbSpec, arbInput, fc.string({ maxLength: 8 }), (spec, input, seed) => {
        const table = slateMarginals(spec, input, { rng: xoshiro128ss([9, 9, 9, 9]), replays: 50 });
        const L = Math.min(input.k, reachable(spec, input).size);
        expect(table.length).toBe(L);
        for (const row of table) {
          for (const p of row.values()) expect(p >= 0 && p <= 1 + 1e-12).toBe(true);
          expect([...row.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        }
        const s = sampleSlate(spec, input, rngForImpression(seed));
        if (s.propensity_method !== 'monte_carlo') {
          for (const it of s.items) expect(table[it.position]!.get(it.item_id)).toBeCloseTo(it.propensity, 12);
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('out-of-range parameters throw instead of being clamped', () => {
    const input: SlateInput = { ranked: [{ item: 'a', score: 1 }], pool: ['b'], k: 2 };
    const rng = rngForImpression('x');
    expect(() => sampleSlate({ name: 'decaying-epsilon', epsilon_0: 0.1, epsilon_min: 0.2, tau: 1 }, input, rng)).toThrow('epsilon_min must be in [0, epsilon_0], got 0.2');
    expect(() => sampleSlate({ name: 'decaying-epsilon', epsilon_0: 0.1, epsilon_min: 0, tau: 1 }, { ...input, history_length: -1 }, rng)).toThrow('history_length must be a non-negative integer, got -1');
    expect(() => sampleSlate({ name: 'softmax', temperature_0: 1, alpha: 1, temperature_min: 0.1, anneal_by: 'history', replays: 5 }, input, rng)).toThrow('alpha must be in [0, 1), got 1');
    expect(() => sampleSlate({ name: 'softmax', temperature_0: 1, alpha: 0.1, temperature_min: 0.1, anneal_by: 'history', replays: 0 }, input, rng)).toThrow('replays must be a positive integer, got 0');
    expect(() => sampleSlate({ name: 'thompson', prior_alpha: 1, prior_beta: 1, replays: 5 }, { ...input, posteriors: new Map([['a', { alpha: 0, beta: 1 }]]) }, rng)).toThrow('posterior of a must have finite alpha, beta > 0, got alpha=0, beta=1');
    expect(() => sampleSlate({ name: 'ucb', c: -1, epsilon: 0.1, prior_alpha: 1, prior_beta: 1 }, input, rng)).toThrow('c must be finite and ≥ 0, got -1');
    expect(() => sampleSlate({ name: 'ucb', c: 1, epsilon: 0.1, prior_alpha: 1, prior_beta: 1, candidates: 0 }, input, rng)).toThrow('candidates must be a positive integer, got 0');
  });

  it('the zod specs reject what the strategies reject', () => {
    expect(StrategySpec.safeParse({ name: 'decaying-epsilon', epsilon_0: 0.1, epsilon_min: 0.2, tau: 1 }).success).toBe(false);
    expect(StrategySpec.safeParse({ name: 'softmax', temperature_0: 1, alpha: 1, temperature_min: 0.1, anneal_by: 'history', replays: 5 }).success).toBe(false);
    expect(StrategySpec.safeParse({ name: 'softmax', temperature_0: 0.1, alpha: 0.5, temperature_min: 1, anneal_by: 'history', replays: 5 }).success).toBe(false);
    expect(StrategySpec.safeParse({ name: 'thompson', prior_alpha: 1, prior_beta: 1, replays: 5 }).success).toBe(true);
    expect(StrategySpec.safeParse({ name: 'nope' }).success).toBe(false);
  });
});
