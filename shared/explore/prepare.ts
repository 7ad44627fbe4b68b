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
  const exclude = input.exclude ?? new Set<string>();
  const seen = new Set<string>();
  const ranked: Candidate[] = [];
  const scoreOf = new Map<string, number>();
  for (const c of input.ranked) {
    if (!Number.isFinite(c.score)) throw new RangeError(`score of ${c.item} must be finite, got ${c.score}`);
    if (exclude.has(c.item) || seen.has(c.item)) continue;
    seen.add(c.item);
    ranked.push(c);
    scoreOf.set(c.item, c.score);
  }
  const topK = new Set(ranked.slice(0, k).map((c) => c.item));
  const pool: string[] = [];
  const inPool = new Set<string>();
  for (const item of input.pool) {
    if (exclude.has(item) || topK.has(item) || inPool.has(item)) continue;
    inPool.add(item);
    pool.push(item);
  }
  return { ranked, pool, length: Math.min(k, ranked.length + pool.length), scoreOf };
}
