import { describe, expect, it } from 'vitest';
import { slateMarginals } from '../../shared/explore/index.js';
import { xoshiro128ss } from '../../shared/rng.js';
import { fitItemPositionModel, tableValue } from '../../shared/ope/item-position-model.js';
import { epsilonGreedyModelValue, loggedProbabilities } from '../../gpu-batch/ope/policy-view.js';

/**
 * A random epsilon-greedy input: ranked items with duplicates, a pool overlapping them, exclusions,
 * k, ε and optional position weights, drawn from `int` (an integer in [0, n)).
 */
function randomInput(int: (n: number) => number) {
  const universe = Array.from({ length: 5 + int(40) }, (_, i) => `i${i}`);
  const ranked = Array.from({ length: int(25) }, () => universe[int(universe.length)]!).map((item, j) => ({ item, score: 100 - j }));
  const pool = Array.from({ length: int(30) }, () => universe[int(universe.length)]!);
  const exclude = new Set(Array.from({ length: int(4) }, () => universe[int(universe.length)]!));
  const k = 1 + int(12);
  const epsilon = [0, 0.05, 0.3, 1][int(4)]!;
  const position_weights = [undefined, [0.2, 0.6, 1.4]][int(2)];
  const params = { epsilon, ...(position_weights ? { position_weights } : {}) };
  return { universe, k, params, input: { ranked, pool, k, exclude } };
}

/** The gate's fast path must give exactly what `slateMarginals` gives, for every item and position. */
describe('loggedProbabilities (epsilon-greedy fast path)', () => {
  it('equals slateMarginals on random inputs with exclusions, duplicates and ranked items in the pool', () => {
    const rng = xoshiro128ss([1, 2, 3, 4]);
    const int = (n: number) => Math.floor(rng.next() * n);
    const shapes = new Map();
    let checked = 0;
    for (let trial = 0; trial < 300; trial++) {
      const { universe, k, params, input } = randomInput(int);
      const table = slateMarginals({ name: 'epsilon-greedy', ...params }, input);
      const pairs = universe.flatMap((item_id) => Array.from({ length: k + 1 }, (_, position) => ({ item_id, position })));
      const fast = loggedProbabilities(params, input, pairs, shapes);
      pairs.forEach((p, j) => expect(fast[j]).toBeCloseTo(table[p.position]?.get(p.item_id) ?? 0, 12));
      checked += pairs.length;
    }
    expect(checked).toBeGreaterThan(10_000);
    // Shapes repeat across inputs: far fewer tables than inputs.
    expect(shapes.size).toBeLessThan(300);
  });
});

/** The gate's direct part must equal the reward model summed over `slateMarginals`, exactly. */
describe('epsilonGreedyModelValue (epsilon-greedy fast path of q̂_π)', () => {
  it('equals Σ_l Σ_a π(a at l) q̂(a, l) on random inputs with exclusions, duplicates, ranked items in the pool and unseen items', () => {
    const rng = xoshiro128ss([4, 3, 2, 1]);
    const int = (n: number) => Math.floor(rng.next() * n);
    // A model that has seen half the universe (the rest get its prior).
    const seen = Array.from({ length: 200 }, () => Array.from({ length: 3 }, (_, l) => ({ item_id: `i${int(25)}`, position: l, reward: rng.next() < 0.3 ? 1 : 0 })));
    const model = fitItemPositionModel(seen);
    const caches = { shapes: new Map(), compacts: new WeakMap(), poolSums: new WeakMap() };
    const cascade = { ...model, stop: 0.5 };
    expect(Math.max(...[...model.gamma.values(), model.prior].map((g) => model.theta[0]! * g))).toBeLessThan(1);
    for (let trial = 0; trial < 300; trial++) {
      const { params, input } = randomInput(int);
      const table = slateMarginals({ name: 'epsilon-greedy', ...params }, input);
      const exact = tableValue(model, table);
      expect(epsilonGreedyModelValue(params, input, model, caches)).toBeCloseTo(exact, 12);
      // Under a cascade (readers stop after half the clicks), the same with the reading each
      // position's expected clicks leave (`readOnValue`; the pool at its mean attraction, the same
      // while no attraction reaches 1).
      expect(epsilonGreedyModelValue(params, input, cascade, caches)).toBeCloseTo(tableValue(cascade, table), 12);
    }
  });
});
