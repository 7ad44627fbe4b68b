import { prepare } from './prepare.js';
import type { BetaPosterior, SlateInput } from './types.js';

/** The items a sampling strategy (softmax, Thompson, UCB) ranks afresh, in model order. */
export interface CandidateSet {
  /** The top `candidates` distinct ranked items (all when unset), then the pool items not among them. */
  items: string[];
  /** Model score of each item; a pool item the model did not rank has none. */
  scoreOf: Map<string, number>;
  /** Slate length: min(k, |items|). */
  length: number;
}

/**
 * Builds the candidate set: validates the input like every strategy (`prepare`), removes
 * exclusions and duplicates, keeps the top `candidates` ranked items and appends the pool.
 * @param input the strategy input
 * @param candidates how many ranked items to keep; all when undefined
 * @throws RangeError on a non-positive-integer `candidates`
 */
export function candidateSet(input: SlateInput, candidates: number | undefined): CandidateSet {
  if (candidates !== undefined && !(Number.isInteger(candidates) && candidates >= 1)) {
    throw new RangeError(`candidates must be a positive integer, got ${candidates}`);
  }
  const prep = prepare(input);
  const items = prep.ranked.slice(0, candidates ?? prep.ranked.length).map((c) => c.item);
  const seen = new Set(items);
  const exclude = input.exclude ?? new Set<string>();
  for (const item of input.pool) {
    if (exclude.has(item) || seen.has(item)) continue;
    seen.add(item);
    items.push(item);
  }
  return { items, scoreOf: prep.scoreOf, length: Math.min(input.k, items.length) };
}

/**
 * Beta posterior of every candidate: `input.posteriors` where given, else the prior.
 * @throws RangeError on a prior or posterior parameter that is not finite and > 0
 */
export function posteriorsOf(input: SlateInput, items: readonly string[], priorAlpha: number, priorBeta: number): BetaPosterior[] {
  checkBeta('prior', { alpha: priorAlpha, beta: priorBeta });
  return items.map((item) => {
    const p = input.posteriors?.get(item);
    if (p === undefined) return { alpha: priorAlpha, beta: priorBeta };
    checkBeta(`posterior of ${item}`, p);
    return p;
  });
}

function checkBeta(what: string, p: BetaPosterior): void {
  if (!(Number.isFinite(p.alpha) && p.alpha > 0 && Number.isFinite(p.beta) && p.beta > 0)) {
    throw new RangeError(`${what} must have finite alpha, beta > 0, got alpha=${p.alpha}, beta=${p.beta}`);
  }
}
