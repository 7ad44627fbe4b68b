import { userKey } from '../shared/crypto/hmac.js';
import { sampleSlate } from '../shared/explore/index.js';
import { prepare } from '../shared/explore/prepare.js';
import type { SlateInput } from '../shared/explore/types.js';
import type { Rng } from '../shared/rng.js';
import type { StrategySpec } from '../shared/schemas/strategy.js';
import type { LoggedImpression } from '../gpu-batch/ope/lake-slates.js';
import { VersionTarget } from '../gpu-batch/ope/policy-view.js';
import { expectedClicks } from './sim/click-model.js';
import type { Visit } from './sim/visits.js';
import type { SimUser, World } from './sim/world.js';

export { VersionTarget };

/** Memo of the edge's salted user keys (an HMAC each). */
export type UserKeys = Map<string, string>;

/**
 * The visits a version is valued on: the world at that round, the edge's user-key salt (and a
 * memo of the keys), and the recent items the site sent on each visit (aligned with the visits;
 * none when absent).
 */
export interface AskedVisits {
  world: World;
  round: number;
  visits: readonly Visit[];
  salt: string;
  keys: UserKeys;
  recent?: readonly (readonly string[])[];
}

/**
 * The true value of a version on the given visits: for each visit, the slate the version would
 * serve (its strategy sampled on the input the edge would build: the user's cached candidates,
 * else — with recent items — the wasm step's ranking, else the popularity list, and the
 * exploration pool; `VersionTarget.input`, the batch tier's serving view that the deploy gate
 * evaluates with), scored by the world's expected clicks. Each visit is asked with the recent
 * items the site sent on it (`on.recent`), so this input is the edge's exactly. Visits with the same input (a user's visits without recent items) are
 * valued once, from `replays` draws (strategies prepare the whole exploration pool per draw,
 * thousands of items in a large catalog). Draws are seeded by user, round and recent items (not
 * by version), so two versions are compared on common random numbers.
 * @returns expected clicks per visit
 */
export async function versionValue(on: AskedVisits, target: VersionTarget, replays = 4): Promise<Float64Array> {
  const spec = surfaceSpec(target);
  return perInput(on, target, (input, rng, user) => {
    let sum = 0;
    for (let r = 0; r < replays; r++) sum += slateClicks(on.world, user, sampleSlate(spec, input, rng).items.map((it) => it.item_id));
    return sum / replays;
  });
}

/**
 * Where a version's value comes from, on the same visits and inputs as `versionValue`:
 * - `ranking`: the top k of the input's ranking, as served but without exploration (what every
 *   strategy exploits), so served − ranking is what exploring cost this round;
 * - `strangers`: the version's list for a request it knows nothing of (no cached candidates, no
 *   recent items: the popularity list by base appeal), valued for every visit, so ranking −
 *   strangers is what the personal lists and the session add over the version's own list, and
 *   strangers ÷ the best list is how well base appeal alone is known.
 * @returns expected clicks per visit of each
 */
export async function versionParts(on: AskedVisits, target: VersionTarget): Promise<{ ranking: Float64Array; strangers: Float64Array }> {
  const k = on.world.params.k;
  const top = (input: SlateInput) => prepare(input).ranked.slice(0, k).map((c) => c.item);
  const ranking = await perInput(on, target, (input, _rng, user) => slateClicks(on.world, user, top(input)));
  const list = top(await target.input(request(target, k, STRANGER, on.round, 'stranger', [])));
  const strangers = Float64Array.from(on.visits, (v) => slateClicks(on.world, v.user, list));
  return { ranking, strangers };
}

/** A user key no version caches candidates for (user keys are hex HMACs). */
const STRANGER = 'stranger';

function surfaceSpec(target: VersionTarget): StrategySpec {
  const spec = target.spec(target.policy.default_surface);
  if (!spec) throw new Error(`version ${target.version} serves no default surface`);
  return spec;
}

/** The slate request of a visit, as the serving view reads it (the logged slate is not part of what a version serves). */
function request(target: VersionTarget, k: number, userKey: string, round: number, who: string, recent: readonly string[]): LoggedImpression {
  return { user_key: userKey, surface: target.policy.default_surface, k, exclude: [], recent: [...recent], slate: { impression_id: `truth-${round}-${who}`, ts: null, policy_version: null, items: [] } };
}

/** Expected clicks of a slate of item ids for a user. */
function slateClicks(world: World, user: SimUser, items: readonly string[]): number {
  return expectedClicks(world.clickModel, items.map((id) => world.attraction(user, world.itemById(id)!)));
}

/**
 * `value` of each visit's strategy input, computed once per distinct input (user and recent
 * items) with a generator seeded by the round and that input.
 */
async function perInput(on: AskedVisits, target: VersionTarget, value: (input: SlateInput, rng: Rng, user: SimUser) => number): Promise<Float64Array> {
  const { world, round, visits, keys } = on;
  const memo = new Map<string, number>();
  const out = new Float64Array(visits.length);
  for (const [j, v] of visits.entries()) {
    const recent = on.recent?.[j] ?? [];
    const key = recent.length ? `${v.user.id}|${recent.join(',')}` : v.user.id;
    let x = memo.get(key);
    if (x === undefined) {
      let uk = keys.get(v.user.id);
      if (uk === undefined) keys.set(v.user.id, (uk = await userKey(on.salt, v.user.id)));
      const input = await target.input(request(target, world.params.k, uk, round, v.user.id, recent));
      memo.set(key, (x = value(input, world.rngFor(`truth:${round}:${key}`), v.user)));
    }
    out[j] = x;
  }
  return out;
}
