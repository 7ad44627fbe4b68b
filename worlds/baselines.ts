import { hash32 } from '../shared/rng.js';
import { expectedClicks, readOn, type ClickModel } from './sim/click-model.js';
import type { Visit } from './sim/visits.js';
import type { SimUser, World } from './sim/world.js';

/** Expected clicks of each baseline on each visit (same order as the visits given). */
export interface BaselineValues {
  /** A uniformly random slate (k distinct items in random order), one draw per visit. */
  random: Float64Array;
  /** The most-clicked-so-far list: items by clicks observed in earlier rounds' logged traffic. */
  popularity: Float64Array;
  /** The best non-personalised list for this round's visitors (see `bestGlobalList`). */
  bestGlobal: Float64Array;
  /** The personalised oracle: each user's k most attractive items, best first. */
  oracle: Float64Array;
  /** Item ids of the best non-personalised list, best first. */
  bestGlobalList: string[];
}

/**
 * Every baseline on the same visits, as expected clicks under the world's click model (expected
 * values, not sampled clicks, so the comparison has little noise).
 * @param clicksSoFar clicks per item id observed in the logged traffic of earlier rounds
 */
export function baselineValues(world: World, round: number, visits: readonly Visit[], clicksSoFar: ReadonlyMap<string, number>): BaselineValues {
  const k = world.params.k;
  const m = world.clickModel;
  const n = world.items.length;
  const users = new Map<string, { user: SimUser; row: number; weight: number }>();
  for (const v of visits) {
    const u = users.get(v.user.id);
    if (u) u.weight++;
    else users.set(v.user.id, { user: v.user, row: users.size, weight: 1 });
  }
  // Attractions of every item for every visiting user, computed once.
  const A = new Float32Array(users.size * n);
  for (const u of users.values()) world.attractionRow(u.user, A.subarray(u.row * n, (u.row + 1) * n));
  const rows = [...users.values()];

  const oracleByRow = rows.map((u) => oracleOfRow(m, A.subarray(u.row * n, (u.row + 1) * n), k));
  const popList = popularityList(world, clicksSoFar, k);
  const popByRow = rows.map((u) => expectedClicks(m, popList.map((i) => A[u.row * n + i]!)));
  const best = bestGlobalList(A, n, rows.map((u) => u.weight), m, k);
  const bestByRow = rows.map((u) => expectedClicks(m, best.map((i) => A[u.row * n + i]!)));

  const out: BaselineValues = {
    random: new Float64Array(visits.length),
    popularity: new Float64Array(visits.length),
    bestGlobal: new Float64Array(visits.length),
    oracle: new Float64Array(visits.length),
    bestGlobalList: best.map((i) => world.items[i]!.id),
  };
  visits.forEach((v, j) => {
    const r = users.get(v.user.id)!.row;
    out.oracle[j] = oracleByRow[r]!;
    out.popularity[j] = popByRow[r]!;
    out.bestGlobal[j] = bestByRow[r]!;
    const rng = world.rngFor(`random:${round}:${v.index}`);
    out.random[j] = expectedClicks(m, sampleDistinct(n, k, () => rng.next()).map((i) => A[r * n + i]!));
  });
  return out;
}

/**
 * The personalised oracle's expected clicks: the user's k most attractive items, best first. For
 * both click models this order is optimal for a set (an adjacent swap that puts the more
 * attractive item first changes E[clicks] by (a_i − a_j)(e(p) − e(p+1)) ≥ 0), and E[clicks] never
 * falls when an item's attraction rises (for the cascade: ∂E/∂a_p ∝ e(p) − stop·Σ_{r>p} … ≥
 * e(p) − e(p+1) ≥ 0), so the top k sorted is the best slate.
 * @param row attractions of every item for the user
 */
export function oracleOfRow(m: ClickModel, row: ArrayLike<number>, k: number): number {
  return expectedClicks(m, topK(row, k).map((i) => row[i]!));
}

/** The personalised oracle's expected clicks for a user over the items that exist now. */
export function oracleClicks(world: World, user: SimUser): number {
  return oracleOfRow(world.clickModel, world.attractionRow(user, new Float64Array(world.items.length)), world.params.k);
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (idx.length === k && values[i]! <= values[idx[k - 1]!]!) continue;
    let p = Math.min(idx.length, k - 1);
    if (idx.length < k) idx.push(i);
    while (p > 0 && values[idx[p - 1]!]! < values[i]!) {
      idx[p] = idx[p - 1]!;
      p--;
    }
    idx[p] = i;
  }
  return idx;
}

/**
 * The best non-personalised list, built greedily position by position: position p takes the item
 * that adds the most expected clicks over the visits, Σ_u w_u · r_u(p) · a(u, i), where r_u(p) is
 * the chance user u reads position p given the items above (see click-model.ts). For the PBM
 * r_u(p) = e(p) for everyone, so this is the list by visit-weighted mean attraction, the exact
 * optimum (rearrangement inequality). For the cascade it is the greedy list (the stop after a
 * click makes the exact optimum a set problem); a list only ever helps a baseline, so the greedy
 * choice makes this baseline at most slightly weaker than the true best list.
 * @param A attractions, one row of n items per user
 * @param weights visits per user row
 */
export function bestGlobalList(A: Float32Array | Float64Array, n: number, weights: readonly number[], m: ClickModel, k: number): number[] {
  const reach = weights.map(() => m.examine[0]!);
  const chosen: number[] = [];
  const taken = new Uint8Array(n);
  const gain = new Float64Array(n);
  for (let p = 0; p < Math.min(k, n); p++) {
    gain.fill(0);
    for (let u = 0; u < weights.length; u++) {
      const w = weights[u]! * reach[u]!;
      const row = u * n;
      for (let i = 0; i < n; i++) gain[i]! += w * A[row + i]!;
    }
    let best = -1;
    for (let i = 0; i < n; i++) if (!taken[i] && (best < 0 || gain[i]! > gain[best]!)) best = i;
    chosen.push(best);
    taken[best] = 1;
    for (let u = 0; u < weights.length; u++) reach[u] = reach[u]! * (1 - m.stop * A[u * n + best]!) * readOn(m, p);
  }
  return chosen;
}

/**
 * The most-clicked-so-far list: item indices by clicks seen, most first; ties (at first, every
 * item has none) by a fixed pseudo-random order of the world's seed, so the list does not favour
 * old or new items by id.
 */
export function popularityList(world: World, clicksSoFar: ReadonlyMap<string, number>, k: number): number[] {
  const tie = (id: string) => hash32(`${world.params.seed}:pop:${id}`);
  return world.items
    .map((it, i) => ({ i, c: clicksSoFar.get(it.id) ?? 0, t: tie(it.id) }))
    .sort((a, b) => b.c - a.c || a.t - b.t)
    .slice(0, k)
    .map((x) => x.i);
}

/** k distinct indices of [0, n) in random order (partial Fisher–Yates on a sparse map). */
export function sampleDistinct(n: number, k: number, next: () => number): number[] {
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < Math.min(k, n); i++) {
    const j = i + Math.floor(next() * (n - i));
    const vj = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out.push(vj);
  }
  return out;
}
