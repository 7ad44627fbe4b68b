import type { TrainingPairs } from '../dataset/read-dataset.js';
import type { TopK } from './top-k.js';

/**
 * Each user's past clicks: the item rows of their rewarded training pairs.
 *
 * Why a term of its own: a user's own click on an item is the most direct evidence of their taste
 * for it, and the MF smooths it away (a low-rank U·V cannot single out one pair). Before this, the
 * content profile carried it by accident — every catalog title's unique number was a hashed token,
 * so a profile held the identity of the items its user clicked, with the unrelated items sharing
 * their buckets (`MIN_ITEMS_PER_TOKEN`). Read on a kept sparse run (seed 521, rounds 3–5): known
 * users' lists with their past clicks first, then the version's list for strangers, were worth
 * 1.12–1.14 of that list alone — most of what their cached lists added (1.12–1.16).
 * Whether re-showing a clicked item pays depends on the site (a grocery list, yes; a film, rarely):
 * its weight is fitted on the holdout like every other term (`holdoutTermFit`), 0 unless the
 * users' next clicks say so.
 */
export function pastClicks(pairs: TrainingPairs): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let r = 0; r < pairs.user.length; r++) {
    if (!(pairs.y[r]! > 0)) continue;
    const u = pairs.user[r]!;
    const items = out.get(u) ?? out.set(u, []).get(u)!;
    if (!items.includes(pairs.item[r]!)) items.push(pairs.item[r]!);
  }
  return out;
}

/**
 * Adds `weight` to the score of each user's past clicks in their candidate list, in place: those
 * the list lacks come in scored by `score` (what the list ranks by) plus the weight, the list is
 * re-sorted and kept at its length, so a re-shown item takes the place of the weakest candidate.
 * @param users the user row of each list, in `top`'s order
 */
export function rerankWithPastClicks(top: TopK, users: ArrayLike<number>, clicks: ReadonlyMap<number, readonly number[]>, weight: number, score: (u: number, i: number) => number): void {
  const k = top.k;
  for (let j = 0; j < users.length; j++) {
    const mine = clicks.get(users[j]!);
    if (!mine?.length) continue;
    const rows = Array.from({ length: k }, (_, t) => ({ i: top.items[j * k + t]!, s: top.scores[j * k + t]! }));
    const listed = new Set(rows.map((r) => r.i));
    for (const r of rows) if (mine.includes(r.i)) r.s += weight;
    for (const i of mine) if (!listed.has(i)) rows.push({ i, s: score(users[j]!, i) + weight });
    rows.sort((a, b) => b.s - a.s || a.i - b.i);
    for (let t = 0; t < k; t++) {
      top.items[j * k + t] = rows[t]!.i;
      top.scores[j * k + t] = rows[t]!.s;
    }
  }
}
