import type { Policy } from '../../shared/schemas/artifact.js';
import type { StrategySpec } from '../../shared/schemas/strategy.js';
import { round6 } from '../util/round.js';

export interface PolicyInputs {
  version: string;
  defaultSurface: string;
  /** Strategy per surface (the default surface must be among them). */
  strategies: Record<string, StrategySpec>;
  kDefault: number;
  kMax: number;
  itemIds: readonly string[];
  /** Item rows of the exploration pool. */
  pool: readonly number[];
  /** Score per item row for the global fallback ranking (higher first). */
  popularityScore: ArrayLike<number>;
  /** Tie-break order when scores are equal (e.g. newest first in bootstrap); lower first. */
  tieBreak?: ArrayLike<number>;
  candidatesPerUser: number;
}

/**
 * `policy.json`: every surface explores with its strategy; the popularity list
 * is the posterior-mean ranking, at least 3 × k_max long when the catalog allows (the edge's last
 * fallback must be able to fill any slate after exclusions), capped to keep the file small.
 */
export function buildPolicy(p: PolicyInputs): Policy {
  const n = p.itemIds.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => p.popularityScore[b]! - p.popularityScore[a]! || (p.tieBreak ? p.tieBreak[a]! - p.tieBreak[b]! : 0) || a - b,
  );
  const length = Math.min(n, Math.max(3 * p.kMax, 200));
  const surfaces: Policy['surfaces'] = {};
  for (const [name, strategy] of Object.entries(p.strategies)) {
    surfaces[name] = { strategy, k_default: p.kDefault, k_max: p.kMax };
  }
  return {
    schema: 'policy/v1',
    version: p.version,
    default_surface: p.defaultSurface,
    surfaces,
    exploration_pool: p.pool.map((i) => p.itemIds[i]!),
    popularity: order.slice(0, length).map((i) => ({ item: p.itemIds[i]!, score: round6(p.popularityScore[i]!) })),
    candidates_per_user: p.candidatesPerUser,
  };
}

/**
 * The strategy spec a surface serves, from the configured strategy name and the exploration rate
 * ε chosen for the surface (with per-position weights where the strategy takes them).
 * - epsilon-greedy: ε, with the weights.
 * - decaying-epsilon: a new user explores at 2ε, halving by 50 impressions of history, floor ε/2.
 * - ucb: posterior mean + 1 sd over the top 3k candidates and the pool, then ε-greedy at ε.
 * - thompson: one posterior draw per candidate (top 3k + pool), prior = the fitted prior.
 * @param prior the empirical-Bayes Beta prior of item reward rates
 */
export function strategySpec(name: Exclude<StrategySpec['name'], 'softmax'>, epsilon: number, weights: number[] | null, prior: { alpha: number; beta: number }, k: number): StrategySpec {
  const priorOk = prior.alpha > 0 && prior.beta > 0 ? prior : { alpha: 1, beta: 19 };
  switch (name) {
    case 'epsilon-greedy':
      return { name, epsilon, ...(weights ? { position_weights: weights } : {}) };
    case 'decaying-epsilon':
      return { name, epsilon_0: Math.min(1, 2 * epsilon), epsilon_min: epsilon / 2, tau: 50 };
    case 'ucb':
      return { name, c: 1, epsilon, prior_alpha: priorOk.alpha, prior_beta: priorOk.beta, candidates: 3 * k };
    case 'thompson':
      return { name, prior_alpha: priorOk.alpha, prior_beta: priorOk.beta, candidates: 3 * k, replays: 256 };
    default:
      return name satisfies never;
  }
}
