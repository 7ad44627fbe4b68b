import { describe, expect, it } from 'vitest';
import { strategies, strategyInputs, type Candidate } from '../../shared/explore/index.js';
import type { Policy } from '../../shared/schemas/artifact.js';
import type { StrategySpec } from '../../shared/schemas/strategy.js';
import type { RecentQuery } from '../../shared/scoring/item-matrix.js';
import { VersionView, type CachedCandidates } from '../../shared/serving/version-view.js';

const policy: Policy = {
  schema: 'policy/v1',
  version: 'v20260101T000000Z-abc123',
  default_surface: 'home',
  surfaces: { home: { strategy: { name: 'epsilon-greedy', epsilon: 0.1 }, k_default: 3, k_max: 5 } },
  exploration_pool: ['p1', 'p2'],
  popularity: [
    { item: 'pop-a', score: 2 },
    { item: 'pop-b', score: 1 },
  ],
  candidates_per_user: 900,
  generation: 7,
};

const specs: Record<keyof typeof strategies, StrategySpec> = {
  'epsilon-greedy': { name: 'epsilon-greedy', epsilon: 0.1 },
  'decaying-epsilon': { name: 'decaying-epsilon', epsilon_0: 1, epsilon_min: 0.1, tau: 5 },
  softmax: { name: 'softmax', temperature_0: 1, alpha: 0.1, temperature_min: 0.1, anneal_by: 'generation', replays: 10 },
  thompson: { name: 'thompson', prior_alpha: 1, prior_beta: 1, replays: 10 },
  ucb: { name: 'ucb', c: 1, epsilon: 0.1, prior_alpha: 1, prior_beta: 1 },
};

/** A version held in plain maps, with a record of what the view asked of it. */
function version(users: Record<string, CachedCandidates>, wasm: (q: RecentQuery) => Candidate[] | null, taste: (items: readonly string[]) => Float64Array | null = () => null) {
  const asked = { posteriors: 0, wasm: [] as RecentQuery[], taste: [] as Array<{ recent: readonly string[]; items: readonly string[] }> };
  const view = new VersionView({
    policy,
    userCandidates: async (uk) => users[uk] ?? null,
    posteriors: async () => {
      asked.posteriors++;
      return new Map([['pop-a', { alpha: 3, beta: 1 }]]);
    },
    wasm: async (q) => {
      asked.wasm.push(q);
      return wasm(q);
    },
    recentTaste: async (q) => {
      asked.taste.push(q);
      return taste(q.items);
    },
  });
  return { view, asked };
}

const req = { userKey: 'u', k: 3, recent: [] as string[], exclude: ['x'] };

describe('VersionView: the scorer chain', () => {
  it('cache answers for a user with candidates, with their history length; wasm is not asked', async () => {
    const { view, asked } = version({ u: { items: ['c1', 'c2'], scores: [0.9], n: 12 } }, () => [{ item: 'w', score: 1 }]);
    expect(await view.candidates({ ...req, recent: ['r'] })).toEqual({ source: 'cache', ranked: [{ item: 'c1', score: 0.9 }, { item: 'c2', score: 0 }], historyLength: 12 });
    expect(asked.wasm).toEqual([]);
  });

  it('recent items re-rank a cached list by cached score + the session\'s taste (ties keep the cached order); a pass keeps it as cached', async () => {
    const users = { u: { items: ['c1', 'c2', 'c3', 'c4'], scores: [4, 3, 2, 1] } };
    const { view, asked } = version(users, () => null, () => Float64Array.from([0, 0.5, 2.5, 2]));
    expect(await view.candidates({ ...req, recent: ['r'] })).toEqual({ source: 'cache', ranked: [{ item: 'c3', score: 4.5 }, { item: 'c1', score: 4 }, { item: 'c2', score: 3.5 }, { item: 'c4', score: 3 }] });
    expect(asked.taste).toEqual([{ recent: ['r'], items: ['c1', 'c2', 'c3', 'c4'] }]);
    expect(asked.wasm).toEqual([]);
    const tie = version(users, () => null, () => Float64Array.from([0, 1, 0, 0]));
    expect((await tie.view.candidates({ ...req, recent: ['r'] })).ranked.map((c) => c.item)).toEqual(['c1', 'c2', 'c3', 'c4']);
    const pass = version(users, () => null);
    expect((await pass.view.candidates({ ...req, recent: ['r'] })).ranked.map((c) => c.score)).toEqual([4, 3, 2, 1]);
    // Without recent items the session's taste is not asked for.
    const none = version(users, () => null, () => Float64Array.from([9, 9, 9, 9]));
    await none.view.candidates(req);
    expect(none.asked.taste).toEqual([]);
  });

  it('an empty cached list passes to wasm, asked for at most min(TOP_N_MAX, candidates_per_user) items', async () => {
    const { view, asked } = version({ u: { items: [], scores: [] } }, () => [{ item: 'w', score: 1 }]);
    expect(await view.candidates({ ...req, recent: ['r1', 'r2'] })).toEqual({ source: 'wasm', ranked: [{ item: 'w', score: 1 }] });
    expect(asked.wasm).toEqual([{ recent: ['r1', 'r2'], exclude: ['x'], n: 500 }]);
  });

  it('wasm passing (null) and no recent items both end at popularity; without recent items wasm is not asked', async () => {
    const passing = version({}, () => null);
    expect(await passing.view.candidates({ ...req, recent: ['r'] })).toMatchObject({ source: 'popularity', ranked: [{ item: 'pop-a', score: 2 }, { item: 'pop-b', score: 1 }] });
    expect(passing.asked.wasm).toHaveLength(1);
    const none = version({}, () => [{ item: 'w', score: 1 }]);
    expect((await none.view.candidates(req)).source).toBe('popularity');
    expect(none.asked.wasm).toEqual([]);
  });

  it('surface() finds only the policy’s own surfaces', () => {
    const { view } = version({}, () => null);
    expect(view.surface('home')?.k_default).toBe(3);
    expect(view.surface('__proto__')).toBeNull();
    expect(view.surface('nope')).toBeNull();
  });
});

describe('VersionView: the strategy input holds what the strategy declares', () => {
  for (const [name, spec] of Object.entries(specs)) {
    it(`${name}: ${JSON.stringify(strategyInputs(spec))}`, async () => {
      const { view, asked } = version({ u: { items: ['c1'], scores: [1], n: 4 } }, () => null);
      const { source, input } = await view.serve(spec, req);
      expect(source).toBe('cache');
      const declared = strategyInputs(spec);
      const optional = Object.keys(input).filter((key) => !['ranked', 'pool', 'k', 'exclude'].includes(key));
      expect(optional.sort()).toEqual([...declared].sort());
      expect(asked.posteriors).toBe(declared.includes('posteriors') ? 1 : 0);
      if (declared.includes('history_length')) expect(input.history_length).toBe(4);
      if (declared.includes('generation')) expect(input.generation).toBe(7);
      expect([input.pool, input.k, [...input.exclude!]]).toEqual([['p1', 'p2'], 3, ['x']]);
    });
  }
});
