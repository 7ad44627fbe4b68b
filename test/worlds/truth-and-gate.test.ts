import { describe, expect, it } from 'vitest';
import { shardFile } from '../../shared/artifact/paths.js';
import { userKey } from '../../shared/crypto/hmac.js';
import { Policy, UserSlateShard } from '../../shared/schemas/artifact.js';
import { oracleClicks, topK } from '../../worlds/baselines.js';
import { DEMO_WORLD, withOverrides } from '../../worlds/families.js';
import { reversedTopCandidate, worstFirstCandidate } from '../../worlds/plant.js';
import type { GateRow, RoundRow } from '../../worlds/round-row.js';
import type { WorldRun } from '../../worlds/run-world.js';
import { expectedClicks } from '../../worlds/sim/click-model.js';
import { roundVisits } from '../../worlds/sim/visits.js';
import { World } from '../../worlds/sim/world.js';
import { summarise, truthClass } from '../../worlds/summary.js';
import { versionParts, versionValue, VersionTarget } from '../../worlds/version-value.js';

const SALT = 'test-salt-0123456789';
const VERSION = 'v20260101T000000Z-abc123';
const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
const dec = (b: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(b)) as unknown;

/** A candidate's files as the batch tier writes them: each user's cached list is their own top items. */
async function candidateFiles(world: World, epsilon: number): Promise<Record<string, Uint8Array>> {
  const users: Record<string, { items: string[]; scores: number[] }> = {};
  for (const u of world.users) {
    const row = world.attractionRow(u, new Float64Array(world.items.length));
    const top = topK(row, 30);
    users[await userKey(SALT, u.id)] = { items: top.map((i) => world.items[i]!.id), scores: top.map((i) => row[i]!) };
  }
  const policy: Policy = {
    schema: 'policy/v1',
    version: VERSION,
    default_surface: 'home',
    surfaces: { home: { strategy: { name: 'epsilon-greedy', epsilon }, k_default: 10, k_max: 20 } },
    exploration_pool: world.items.slice(0, 20).map((i) => i.id),
    popularity: world.items.slice(0, 30).map((i, j) => ({ item: i.id, score: 30 - j })),
    candidates_per_user: 30,
  };
  const shard: UserSlateShard = { schema: 'user-slates/v1', shard: 0, shards: 1, users };
  return { 'policy.json': enc(policy), [shardFile(0)]: enc(shard), 'items.json': enc({ schema: 'items/v1', dims: 0, ids: world.items.map((i) => i.id) }) };
}

describe('true value of a version (the serving view, scored by the world)', () => {
  const world = new World(withOverrides({ ...DEMO_WORLD, seed: 'truth' }, ['users=12', 'items=80']), 0);
  const visits = roundVisits(world, 0, new Map());

  it('a version that caches every user their own best items, without exploring, is worth the oracle', async () => {
    const v = await versionValue({ world, round: 0, visits, salt: SALT, keys: new Map() }, VersionTarget.fromFiles(VERSION, await candidateFiles(world, 0)));
    visits.forEach((visit, j) => expect(v[j]).toBeCloseTo(oracleClicks(world, visit.user), 12));
  });

  it('its parts: the ranking unexplored is what a cached list of each user\'s best is worth (the oracle), the strangers\' list the popularity list for every visit', async () => {
    const target = VersionTarget.fromFiles(VERSION, await candidateFiles(world, 0.3));
    const parts = await versionParts({ world, round: 0, visits, salt: SALT, keys: new Map() }, target);
    const popular = world.items.slice(0, 10);
    visits.forEach((visit, j) => {
      expect(parts.ranking[j]).toBeCloseTo(oracleClicks(world, visit.user), 12);
      expect(parts.strangers[j]).toBeCloseTo(expectedClicks(world.clickModel, popular.map((it) => world.attraction(visit.user, it))), 12);
    });
    // Served, a third of the slots go to the pool: that costs against the ranking it explores from.
    const served = await versionValue({ world, round: 0, visits, salt: SALT, keys: new Map() }, target);
    const sum = (x: Float64Array) => x.reduce((a, b) => a + b, 0);
    expect(sum(served)).toBeLessThan(0.95 * sum(parts.ranking));
  });

  it('a wrong salt finds no cached user (the popularity list answers), and that is worth less', async () => {
    const files = await candidateFiles(world, 0);
    const right = await versionValue({ world, round: 0, visits, salt: SALT, keys: new Map() }, VersionTarget.fromFiles(VERSION, files));
    const wrong = await versionValue({ world, round: 0, visits, salt: 'another-salt-0123456789', keys: new Map() }, VersionTarget.fromFiles(VERSION, files));
    expect(wrong.reduce((a, b) => a + b, 0)).toBeLessThan(right.reduce((a, b) => a + b, 0));
  });

  it('the planted worst-first copy is valid, leaves the candidate untouched, and is truly worse', async () => {
    const files = await candidateFiles(world, 0.2);
    const before = new TextDecoder().decode(files['policy.json']);
    const planted = worstFirstCandidate(files);
    expect(new TextDecoder().decode(files['policy.json'])).toBe(before);
    const p = Policy.parse(dec(planted['policy.json']));
    const popular = new Set(Policy.parse(dec(files['policy.json'])).popularity.map((x) => x.item));
    // The candidate's popularity list holds its best 30; the planted list starts with the other 50.
    expect(p.popularity.every((x) => !popular.has(x.item))).toBe(true);
    expect(p.surfaces.home!.strategy).toEqual({ name: 'epsilon-greedy', epsilon: 0.2 });
    const shard = UserSlateShard.parse(dec(planted[shardFile(0)]));
    for (const u of Object.values(shard.users)) expect(u.items.every((id) => !popular.has(id))).toBe(true);
    const sum = async (f: Record<string, Uint8Array>) => (await versionValue({ world, round: 0, visits, salt: SALT, keys: new Map() }, VersionTarget.fromFiles(VERSION, f))).reduce((a, b) => a + b, 0);
    expect(await sum(planted)).toBeLessThan(0.8 * (await sum(files)));
  });

  it('the reversed copy shows the same top k, weakest first: valid, candidate untouched, truly worse but not by much', async () => {
    const files = await candidateFiles(world, 0);
    const before = new TextDecoder().decode(files[shardFile(0)]);
    const planted = reversedTopCandidate(files, 10);
    expect(new TextDecoder().decode(files[shardFile(0)])).toBe(before);
    const orig = UserSlateShard.parse(dec(files[shardFile(0)]));
    const shard = UserSlateShard.parse(dec(planted[shardFile(0)]));
    for (const [uk, u] of Object.entries(shard.users)) {
      const o = orig.users[uk]!;
      expect(u.items.slice(0, 10)).toEqual(o.items.slice(0, 10).reverse());
      expect(u.items.slice(10)).toEqual(o.items.slice(10));
      expect(u.scores).toEqual(o.scores);
    }
    const p = Policy.parse(dec(planted['policy.json']));
    expect(p.popularity.map((x) => x.item).slice(0, 10)).toEqual(Policy.parse(dec(files['policy.json'])).popularity.map((x) => x.item).slice(0, 10).reverse());
    const sum = async (f: Record<string, Uint8Array>) => (await versionValue({ world, round: 0, visits, salt: SALT, keys: new Map() }, VersionTarget.fromFiles(VERSION, f))).reduce((a, b) => a + b, 0);
    // Position-based clicks with reading 1/log2(p + 2): the same items in reverse order lose a
    // share, far less than the worst-first copy.
    const ratio = (await sum(planted)) / (await sum(files));
    expect(ratio).toBeLessThan(0.97);
    expect(ratio).toBeGreaterThan(0.6);
  });
});

describe('gate against the truth', () => {
  const gate = (publish: boolean, rel: number | null, evaluated = true): GateRow => ({
    ran: true, evaluated, publish, outcome: null, reason: null, delta_hat: 0, ci: [0, 0], ess: 1, n: 1000, candidate: 'c', serving_before: 's', true_candidate: null, true_serving_before: null, true_delta_rel: rel,
  });
  const row = (round: number, g: GateRow, planted: GateRow | null = null) => ({ round, gate: g, planted, vs_oracle: {}, cold_vs_oracle: null, explored_share: 0, good_within_2: null }) as unknown as RoundRow;
  const run = (seed: string, rounds: RoundRow[]) => ({ seed, rounds }) as unknown as WorldRun;

  it('classes candidates by the true relative difference with a 5% margin', () => {
    expect(truthClass(gate(true, 0.06), 0.05)).toBe('better');
    expect(truthClass(gate(true, -0.06), 0.05)).toBe('worse');
    expect(truthClass(gate(true, 0.04), 0.05)).toBe('similar');
    expect(truthClass(gate(true, null), 0.05)).toBe('unknown');
  });

  it('tallies decisions against the truth, planted apart, and the longest run of rejected better candidates', () => {
    const s = summarise('f', [
      run('a', [row(1, gate(true, 0.5)), row(2, gate(false, 0.2)), row(3, gate(false, 0.3), gate(false, -0.9)), row(4, gate(true, 0.1))]),
      run('b', [row(1, gate(false, 0.2)), row(2, gate(true, -0.2, false)), row(3, gate(false, 0.3))]),
    ]);
    expect(s.confusion.candidates).toEqual({ better: { published: 2, rejected: 4 }, worse: { unevaluated: 1 } });
    expect(s.confusion.planted).toEqual({ worse: { rejected: 1 } });
    expect(s.confusion.longest_better_rejected_streak).toBe(2);
    expect(s.decisions).toHaveLength(7);
  });

  it('tallies canaries by their true class and what the next run decided of them', () => {
    const canary = (rel: number): GateRow => ({ ...gate(false, rel), canary: true });
    const judged = (r: RoundRow, outcome: string) => ({ ...r, canary: { version: 'c', outcome, reason: '' } }) as RoundRow;
    const s = summarise('f', [
      run('a', [row(1, canary(0.2)), judged(row(2, canary(-0.3)), 'promote'), judged(row(3, gate(true, 0.1)), 'rollback')]),
      run('b', [row(1, canary(0.01))]),
    ]);
    expect(s.confusion.candidates).toEqual({ better: { canary: 1, published: 1 }, worse: { canary: 1 }, similar: { canary: 1 } });
    expect(s.confusion.canaries).toEqual({ better: { promote: 1 }, worse: { rollback: 1 }, similar: { 'not judged': 1 } });
    expect(s.rounds.find((r) => r.round === 1)!.gate).toEqual({ canary: 2 });
  });
});
