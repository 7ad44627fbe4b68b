/**
 * Offline ranking metrics over top-k lists. Pure functions of the lists and held-out sets, so the
 * model and the popularity baseline are measured by exactly the same code.
 */

/** Users' top-k lists, row-major (users × k), item rows. */
export interface RankedLists {
  k: number;
  items: Int32Array;
}

export interface RankingMetrics {
  /** Users with at least one held-out positive that were evaluated. */
  users: number;
  /** Mean over users of |top-k ∩ held-out| / min(k, |held-out|). */
  recall: number;
  /** Mean over users of DCG@k / ideal DCG@k with binary relevance, gain 1/log2(rank + 2). */
  ndcg: number;
  /** Distinct items in all top-k lists / catalog size. */
  coverage: number;
  /** Mean over users of the mean pairwise cosine distance (1 − cos) of the list's item vectors. */
  diversity: number;
  /** Mean self-information −log2 p(i) of recommended items, p(i) ∝ training clicks + 1. */
  novelty: number;
}

/**
 * @param lists one row per entry of `users`
 * @param users user row of each list
 * @param heldout held-out positive items per user
 * @param k cut-off (≤ lists.k)
 * @param itemVectors nItems × dims, for diversity
 * @param clicks training clicks per item, for novelty
 */
export function rankingMetrics(
  lists: RankedLists,
  users: readonly number[],
  heldout: ReadonlyMap<number, ReadonlySet<number>>,
  k: number,
  itemVectors: Float32Array,
  dims: number,
  clicks: ArrayLike<number>,
): RankingMetrics {
  if (k > lists.k) throw new RangeError(`k = ${k} exceeds the list length ${lists.k}`);
  const nItems = clicks.length;
  let totalClicks = 0;
  for (let i = 0; i < nItems; i++) totalClicks += clicks[i]!;
  const norms = new Float32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    let s = 0;
    for (let c = 0; c < dims; c++) s += itemVectors[i * dims + c]! ** 2;
    norms[i] = Math.sqrt(s);
  }
  const shown = new Set<number>();
  let recall = 0;
  let ndcg = 0;
  let diversity = 0;
  let novelty = 0;
  let evaluated = 0;
  users.forEach((u, row) => {
    const top = lists.items.subarray(row * lists.k, row * lists.k + k);
    for (const i of top) shown.add(i);
    let div = 0;
    let pairs = 0;
    for (let a = 0; a < top.length; a++) {
      novelty += -Math.log2((clicks[top[a]!]! + 1) / (totalClicks + nItems)) / (top.length * users.length);
      for (let b = a + 1; b < top.length; b++) {
        div += 1 - cosine(itemVectors, dims, norms, top[a]!, top[b]!);
        pairs++;
      }
    }
    diversity += pairs ? div / pairs / users.length : 0;
    const rel = heldout.get(u);
    if (!rel || rel.size === 0) return;
    evaluated++;
    let hits = 0;
    let dcg = 0;
    top.forEach((i, rank) => {
      if (rel.has(i)) {
        hits++;
        dcg += 1 / Math.log2(rank + 2);
      }
    });
    let idcg = 0;
    for (let j = 0; j < Math.min(k, rel.size); j++) idcg += 1 / Math.log2(j + 2);
    recall += hits / Math.min(k, rel.size);
    ndcg += dcg / idcg;
  });
  return {
    users: evaluated,
    recall: evaluated ? recall / evaluated : 0,
    ndcg: evaluated ? ndcg / evaluated : 0,
    coverage: nItems ? shown.size / nItems : 0,
    diversity,
    novelty,
  };
}

function cosine(v: Float32Array, d: number, norms: Float32Array, a: number, b: number): number {
  if (norms[a] === 0 || norms[b] === 0) return 0;
  let s = 0;
  for (let c = 0; c < d; c++) s += v[a * d + c]! * v[b * d + c]!;
  return s / (norms[a]! * norms[b]!);
}

/**
 * The same list for every user: items by training clicks, ties by impressions, then row.
 * @returns lists in `RankedLists` form, one identical row per user
 */
export function popularityLists(clicks: ArrayLike<number>, impressions: ArrayLike<number>, users: number, k: number): RankedLists {
  const order = Array.from({ length: clicks.length }, (_, i) => i).sort((a, b) => clicks[b]! - clicks[a]! || impressions[b]! - impressions[a]! || a - b);
  const kk = Math.min(k, order.length);
  const items = new Int32Array(users * kk);
  for (let u = 0; u < users; u++) for (let j = 0; j < kk; j++) items[u * kk + j] = order[j]!;
  return { k: kk, items };
}
