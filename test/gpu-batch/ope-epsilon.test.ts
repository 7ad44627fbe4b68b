import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Policy } from '../../shared/schemas/artifact.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { parseCli } from '../../gpu-batch/cli/parse-cli.js';
import { loadConfig, type BatchConfig } from '../../gpu-batch/config/config.js';
import { UsageError } from '../../gpu-batch/config/errors.js';
import { withDuck } from '../../gpu-batch/lake/duck.js';
import { appendToLake } from '../../gpu-batch/lake/lake-append.js';
import { chooseSurfaceEpsilons } from '../../gpu-batch/ope/epsilon.js';
import { readLakeSlates } from '../../gpu-batch/ope/lake-slates.js';
import { VersionTarget } from '../../gpu-batch/ope/policy-view.js';
import { gateFromConfig } from '../../gpu-batch/ope/ope-gate.js';
import { makeWorld, simulateLogs, type World } from '../../worlds/synth/index.js';
import { jsonBytes } from '../../gpu-batch/util/json-bytes.js';
import { T0, DAY, tempWorkDir, testConfig } from '../support/batch-fixtures.js';

const VERSION = 'v20260103T000000Z-abcdef';

/**
 * Candidate files with no user shards (everyone gets the popularity list) at epsilon ε on `home`.
 * Items the log never showed go last: the simulated logger's pool leaves out its own top k, and an
 * item without support can only count as zero reward off-policy.
 */
function candidateFiles(world: World, shown: ReadonlySet<string>, order: 'best-first' | 'worst-first', epsilon: number): { policy: Policy; target: VersionTarget } {
  const rows = world.items.map((it, i) => ({ item: it.id, q: world.itemBias[i]!, s: shown.has(it.id) ? 0 : 1 }));
  rows.sort((a, b) => a.s - b.s || (order === 'best-first' ? b.q - a.q : a.q - b.q));
  const policy: Policy = {
    schema: 'policy/v1',
    version: VERSION,
    default_surface: 'home',
    surfaces: { home: { strategy: { name: 'epsilon-greedy', epsilon }, k_default: 10, k_max: 20 } },
    exploration_pool: world.items.map((i) => i.id),
    popularity: rows.map((r, i) => ({ item: r.item, score: rows.length - i })),
    candidates_per_user: 60,
    generation: 1,
  };
  return { policy, target: VersionTarget.fromFiles(VERSION, { 'policy.json': jsonBytes(policy) }) };
}

/** The ε choice for a candidate, in its own DuckDB session. */
function choose(config: BatchConfig, candidate: { policy: Policy; target: VersionTarget }, lake: { impressions: string[]; events: string[] }) {
  return withDuck((c) => chooseSurfaceEpsilons(c, config, candidate, lake));
}

describe('epsilon per surface from OPE, over a real DuckDB lake', () => {
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  let world: World;
  let logs: ReturnType<typeof simulateLogs>;
  let lake: { impressions: string[]; events: string[] };
  let shown: Set<string>;

  beforeAll(async () => {
    work = await tempWorkDir();
    world = makeWorld({ users: 200, items: 80, seed: 3 });
    logs = simulateLogs(world, { impressionsPerUser: 10, k: 10, epsilon: 1, start: T0, spanMs: DAY, seed: 3, lateFraction: 0.05 });
    shown = new Set(logs.impressions.flatMap((i) => i.items.map((it) => it.item_id)));
    const files: Record<'impressions' | 'events', string> = { impressions: join(work.dir, 'imp.ndjson'), events: join(work.dir, 'ev.ndjson') };
    await writeFile(files.impressions, logs.impressions.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await writeFile(files.events, logs.events.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const store = new MemoryStore();
    lake = { impressions: [], events: [] };
    await withDuck(async (c) => {
      for (const kind of ['impressions', 'events'] as const) {
        const a = await appendToLake(c, store, kind, [files[kind]], [], { staging: join(work.dir, 'staging'), lakeRoot: join(work.dir, 'lake') }, 'run-test');
        lake[kind] = a.parts.map((p) => p.path);
      }
    });
  });
  afterAll(async () => work?.cleanup());

  it('reads the newest impressions with rewards attributed as training does', async () => {
    const all = await withDuck((c) => readLakeSlates(c, lake, { limit: 1_000_000, rewards: { click: 1 }, attributionWindowMs: 30 * 60_000 }));
    expect(all.length).toBe(logs.impressions.length);
    const tsOf = new Map(logs.impressions.map((i) => [i.impression_id, i.ts]));
    const inWindow = logs.events.filter((e) => e.received_at - tsOf.get(e.impression_id)! <= 30 * 60_000).length;
    expect(inWindow).toBeLessThan(logs.events.length);
    expect(all.reduce((a, s) => a + s.slate.items.reduce((b, it) => b + it.reward, 0), 0)).toBe(inWindow);
    const newest = await withDuck((c) => readLakeSlates(c, lake, { limit: 100, rewards: { click: 1 }, attributionWindowMs: 30 * 60_000 }));
    const cutoff = [...logs.impressions].sort((a, b) => b.ts - a.ts)[99]!.ts;
    expect(newest.length).toBe(100);
    expect(newest.every((s) => s.slate.ts! >= cutoff)).toBe(true);
    expect(newest[0]!.k).toBe(10);
    expect(newest[0]!.surface).toBe('home');
    expect(newest[0]!.slate.items[0]!.propensity).toBeGreaterThan(0);
  });

  it('raises epsilon above the rule when the candidate ranks worst first, and records every estimate', async () => {
    const candidate = candidateFiles(world, shown, 'worst-first', 0.1);
    const eps = await choose(testConfig(work.dir, { epsilonOpe: { sample: 1000 }, epsilonMax: 1 }), candidate, lake);
    const home = eps.home!;
    expect(home.rule).toBe(0.1);
    expect(home.source).toBe('ope');
    expect(home.chosen).toBeGreaterThan(0.1);
    expect(home.n).toBe(1000);
    const chosen = home.candidates.find((c) => c.epsilon === home.chosen)!;
    expect(chosen.eligible).toBe(true);
    expect(chosen.difference_ci[0]).toBeGreaterThan(-0.01);
    expect(home.candidates.map((c) => c.epsilon)).toEqual([0.1, 0.2, 0.3, 0.5, 1]);
    const policy = candidate.policy;
    expect(policy.surfaces.home!.strategy).toEqual({ name: 'epsilon-greedy', epsilon: home.chosen });
    expect(policy.generation).toBe(1);
  });

  it('keeps the rule when the candidate ranks best first (exploring costs reward), leaving the policy alone', async () => {
    const candidate = candidateFiles(world, shown, 'best-first', 0.1);
    const before = structuredClone(candidate.policy);
    const eps = await choose(testConfig(work.dir, { epsilonOpe: { sample: 1000 }, epsilonMax: 1 }), candidate, lake);
    expect(eps.home).toMatchObject({ rule: 0.1, chosen: 0.1, source: 'rule' });
    expect(eps.home!.candidates.find((c) => c.epsilon === 1)!.value).toBeLessThan(eps.home!.candidates[0]!.value);
    expect(candidate.policy).toEqual(before);
  });

  it('is off with epsilonOpe.sample = 0', async () => {
    expect(await choose(testConfig(work.dir, { epsilonOpe: { sample: 0 } }), candidateFiles(world, shown, 'worst-first', 0.1), lake)).toEqual({});
  });
});

describe('gate settings', () => {
  const flags = (...argv: string[]) => parseCli(['batch', 'run', ...argv]).flags;

  it('defaults: gate on, tolerance 0 plus a 2.5% relative margin, minimum ESS 3, operator from $USER, no override, no canary, the two versions’ taste', () => {
    const c = loadConfig({ USER: 'carol' }, flags(), '/tmp');
    expect(c.gate).toEqual({ enabled: true, tolerance: 0, relativeMargin: 0.025, minEss: 3, maxImpressions: 20_000, minImpressions: 200, operator: 'carol', canaryShare: 0, taste: 'both', slice: 0 });
    expect(gateFromConfig(c)).toBeTypeOf('function');
  });

  it('--force --force-reason is the override; --operator wins over $USER; --no-gate turns it off', () => {
    const c = loadConfig({ USER: 'carol' }, flags('--force', '--force-reason', 'hotfix', '--operator', 'bob', '--gate-tolerance', '0.05'), '/tmp');
    expect(c.gate).toMatchObject({ forceReason: 'hotfix', operator: 'bob', tolerance: 0.05 });
    expect(c.force).toBe(true);
    const off = loadConfig({}, flags('--no-gate'), '/tmp');
    expect(off.gate.enabled).toBe(false);
    expect(gateFromConfig(off)).toBeNull();
  });

  it('rejects a reason without --force and a bad tolerance', () => {
    expect(() => loadConfig({}, flags('--force-reason', 'why'), '/tmp')).toThrow(UsageError);
    expect(() => loadConfig({}, flags('--gate-tolerance', 'lots'), '/tmp')).toThrow(/gate.tolerance/);
    expect(() => loadConfig({}, flags('--gate-tolerance', '-1'), '/tmp')).toThrow(UsageError);
  });
});
