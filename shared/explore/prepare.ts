import type { Candidate, SlateInput } from './types.js';

/** Candidates and pool after exclusions and de-duplication, shared by every strategy. */
export interface Prepared {
  /** Distinct ranked candidates, best first, none excluded. */
  ranked: Candidate[];
  /** Distinct pool items, none excluded, none among the top-k ranked (they are shown anyway). */
  pool: string[];
  /** Slate length actually produced: min(k, |ranked| + |pool|). */
  length: number;
  /** Score of every ranked item, for labelling explored items the model also scored. */
  scoreOf: Map<string, number>;
}

/**
 * Validates a strategy's input and removes what must not be shown.
 * @throws RangeError on a non-integer or non-positive k, or a non-finite score
 */
export function prepare(input: SlateInput): Prepared {
  const { k } = input;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  // Runs on every slate request: no Set where a Map already answers, no lookups in an empty
  // exclusion set (the usual case).
  const exclude = input.exclude?.size ? input.exclude : null;
  const ranked: Candidate[] = [];
  const scoreOf = new Map<string, number>();
  for (const c of input.ranked) {
    if (!Number.isFinite(c.score)) throw new RangeError(`score of ${c.item} must be finite, got ${c.score}`);
    if (scoreOf.has(c.item) || exclude?.has(c.item)) continue;
    ranked.push(c);
    scoreOf.set(c.item, c.score);
  }
  // Items of the top k are shown anyway; `taken` starts as them and collects the pool as it goes.
  const taken = new Set<string>();
  for (let i = 0; i < k && i < ranked.length; i++) taken.add(ranked[i]!.item);
  const pool: string[] = [];
  for (const item of input.pool) {
    if (taken.has(item) || exclude?.has(item)) continue;
    taken.add(item);
    pool.push(item);
  }
  return { ranked, pool, length: Math.min(k, ranked.length + pool.length), scoreOf };
}
