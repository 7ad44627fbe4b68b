import { userKey } from '../shared/crypto/hmac.js';
import { sampleSlate } from '../shared/explore/index.js';
import type { LoggedImpression } from '../gpu-batch/ope/lake-slates.js';
import { VersionTarget } from '../gpu-batch/ope/policy-view.js';
import { expectedClicks } from './sim/click-model.js';
import type { Visit } from './sim/visits.js';
import type { World } from './sim/world.js';

export { VersionTarget };

/** Memo of the edge's salted user keys (an HMAC each). */
export type UserKeys = Map<string, string>;

/**
 * The true value of a version on the given visits: for each visit, the slate the version would
 * serve (its strategy sampled on the input the edge would build: the user's cached candidates,
 * else — with recent items — the wasm step's ranking, else the popularity list, and the
 * exploration pool; `VersionTarget.input`, the batch tier's serving view that the deploy gate
 * evaluates with), scored by the world's expected clicks. Each visit is asked with the recent
 * items the site sent on it (`recent`, aligned with the visits; none when absent), so this input
 * is the edge's exactly. Visits with the same input (a user's visits without recent items) are
 * valued once, from `replays` draws (strategies prepare the whole exploration pool per draw,
 * thousands of items in a large catalog). Draws are seeded by user, round and recent items (not
 * by version), so two versions are compared on common random numbers.
 * @returns expected clicks per visit
 */
export async function versionValue(
  world: World,
  round: number,
  visits: readonly Visit[],
  target: VersionTarget,
  salt: string,
  keys: UserKeys,
  opts: { replays?: number; recent?: readonly (readonly string[])[] } = {},
): Promise<Float64Array> {
  const replays = opts.replays ?? 4;
  const surface = target.policy.default_surface;
  const spec = target.spec(surface);
  if (!spec) throw new Error(`version ${target.version} serves no default surface`);
  const memo = new Map<string, number>();
  const out = new Float64Array(visits.length);
  for (const [j, v] of visits.entries()) {
    const recent = opts.recent?.[j] ?? [];
    const key = recent.length ? `${v.user.id}|${recent.join(',')}` : v.user.id;
    let value = memo.get(key);
    if (value === undefined) {
      let uk = keys.get(v.user.id);
      if (uk === undefined) keys.set(v.user.id, (uk = await userKey(salt, v.user.id)));
      // Only the request's fields are read: the logged slate is not part of what a version serves.
      const request: LoggedImpression = { user_key: uk, surface, k: world.params.k, exclude: [], recent: [...recent], slate: { impression_id: `truth-${round}-${v.user.id}`, ts: null, policy_version: null, items: [] } };
      const input = await target.input(request);
      const rng = world.rngFor(`truth:${round}:${key}`);
      let sum = 0;
      for (let r = 0; r < replays; r++) {
        const slate = sampleSlate(spec, input, rng);
        sum += expectedClicks(world.clickModel, slate.items.map((it) => world.attraction(v.user, world.itemById(it.item_id)!)));
      }
      memo.set(key, (value = sum / replays));
    }
    out[j] = value;
  }
  return out;
}
