import type { BetaPosterior } from '../explore/types.js';
import type { PosteriorsFile } from '../schemas/posteriors.js';

/**
 * `posteriors.json` (parallel arrays, as written at publish) as the map strategies read
 * (`SlateInput.posteriors`). Built here only, so the edge and the OPE gate give Thompson and UCB
 * the same posteriors for the same file.
 */
export function posteriorMap(f: PosteriorsFile): ReadonlyMap<string, BetaPosterior> {
  return new Map(f.ids.map((id, i) => [id, { alpha: f.alpha[i]!, beta: f.beta[i]! }]));
}
