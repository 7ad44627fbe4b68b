import type { Policy } from '../../shared/schemas/artifact.js';

export interface PolicyInputs {
  version: string;
  defaultSurface: string;
  /** Epsilon per surface (the default surface must be among them). */
  epsilon: Record<string, number>;
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
 * `policy.json`: every surface explores with epsilon-greedy at its epsilon; the popularity list
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
  for (const [name, epsilon] of Object.entries(p.epsilon)) {
    surfaces[name] = { strategy: { name: 'epsilon-greedy', epsilon }, k_default: p.kDefault, k_max: p.kMax };
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

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
