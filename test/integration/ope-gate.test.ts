import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardFile } from '../../shared/artifact/paths.js';
import { readManifest, readPointer, readVerifiedJson } from '../../shared/artifact/verify.js';
import { Policy, UserSlateShard, type Manifest } from '../../shared/schemas/artifact.js';
import { opeGate, type OpeGateVerdict } from '../../gpu-batch/ope/ope-gate.js';
import type { DeploymentGate } from '../../gpu-batch/publish/gate.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { makeWorld, simulateLogs, writeLogObjects } from '../../worlds/synth/index.js';
import { DAY, T0, seedLogs, tempWorkDir, testConfig } from '../support/batch-fixtures.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A deliberately worse candidate: every ranking reversed (the model's worst items first, the
 * popularity list too) and almost no exploration, so the reversed order is what users would see.
 */
function reverseRankings(files: Record<string, Uint8Array>): void {
  for (const name of Object.keys(files)) {
    if (name.startsWith('user-slates/')) {
      const shard = UserSlateShard.parse(JSON.parse(dec.decode(files[name]!)));
      for (const u of Object.values(shard.users)) {
        u.items.reverse();
        u.scores = u.scores.map((_, i) => u.scores.length - i);
      }
      files[name] = enc.encode(JSON.stringify(shard));
    }
  }
  const policy = Policy.parse(JSON.parse(dec.decode(files['policy.json']!)));
  policy.popularity = policy.popularity.reverse().map((p, i) => ({ item: p.item, score: -i }));
  for (const s of Object.values(policy.surfaces)) s.strategy = { name: 'epsilon-greedy', epsilon: 0.05 };
  files['policy.json'] = enc.encode(JSON.stringify(policy));
}

/** The OPE gate, applied after `worsen` rewrote the candidate (what a bad training run would give). */
function gateWith(options: Parameters<typeof opeGate>[0], worsen?: (files: Record<string, Uint8Array>) => void): DeploymentGate {
  const gate = opeGate(options);
  return async (input) => {
    worsen?.(input.candidate.files as Record<string, Uint8Array>);
    return gate(input);
  };
}

describe('OPE deploy gate in batch run (s3rver, DuckDB)', () => {
  let s3: S3Server;
  let store: S3Store;
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  const now = T0 + 2 * DAY;
  // Judged on every logged impression (slice 0): these 2,400 are the whole world, and a fifth of
  // them judges too little; the evaluation slice's own case is below.
  const config = () => testConfig(work.dir, { epsilonOpe: { sample: 1000 }, epsilonMax: 1, explorePositions: 'flat', gate: { slice: 0 } });
  const gateOptions = { tolerance: 0.01, rewards: { click: 1 }, attributionWindowMs: 30 * 60_000, taste: 'both' as const };

  beforeAll(async () => {
    s3 = await startS3Server();
    store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    work = await tempWorkDir();
    // Uniformly random logging (ε = 1): every item has support at every position.
    await seedLogs(store, { users: 300, items: 120, impressionsPerUser: 8, seed: 11, start: T0, spanMs: DAY });
    const boot = await runBatch(config(), { store, now: () => T0 });
    expect(boot.status).toBe('published');
  });

  afterAll(async () => {
    store?.close();
    await s3?.stop();
    await work?.cleanup();
  });

  async function serving(): Promise<Manifest> {
    const p = (await readPointer(store))!;
    return readManifest(store, p.pointer.version, p.pointer.manifest_sha256);
  }

  it('rejects a candidate with reversed rankings: status rejected, CURRENT unchanged', async () => {
    const before = await store.get('artifacts/CURRENT');
    const r = await runBatch(config(), { store, now: () => now, gate: gateWith(gateOptions, reverseRankings) });
    expect(r.status).toBe('rejected');
    expect(r.version).toBeNull();
    const g = r.gate as unknown as OpeGateVerdict;
    expect(g.publish).toBe(false);
    expect(g.evaluated).toBe(true);
    expect(g.n).toBe(2400);
    expect(g.difference!.ci[1]).toBeLessThan(-0.01);
    expect(g.candidate_value!.estimate).toBeLessThan(g.serving_value!.estimate);
    expect(r.decision).toMatch(/gate rejected .*(upper 95% bound|point estimate|holdout)/);
    const after = await store.get('artifacts/CURRENT');
    expect(after!.etag).toBe(before!.etag);
    console.log('reversed vs bootstrap:', JSON.stringify({ diff: g.difference, cand: g.candidate_value!.estimate, serv: g.serving_value!.estimate }));
  });

  it('publishes the trained candidate, which beats the serving bootstrap; the gate and the epsilon choice are in the manifest', async () => {
    const boot = await serving();
    const r = await runBatch(config(), { store, now: () => now + 60_000, gate: gateWith(gateOptions) });
    expect(r.status).toBe('published');
    const m = await serving();
    expect(m.version).toBe(r.version);
    expect(m.parent_version).toBe(boot.version);
    const g = m.gate as unknown as OpeGateVerdict;
    expect(g.publish).toBe(true);
    expect(g.forced).toBe(false);
    expect(g.serving_version).toBe(boot.version);
    expect(g.difference!.ci[0]).toBeGreaterThan(-0.01);
    expect(g.difference!.estimate).toBeGreaterThan(0);
    expect(g.candidate_value!.n).toBe(2400);
    expect(g.candidate_value!.ess).toBeGreaterThan(0);
    // Uniformly random logs: every slot randomised, nothing the logs cannot judge.
    expect(g.randomised_share).toBe(1);
    expect(g.undecided).toBe(false);
    expect(r.gate).toEqual(m.gate);
    // The trained version carries its taste for later gates; this gate took none, the serving
    // bootstrap having no taste to average the candidate's with (`gateTaste`).
    const lambda = (m.training.blend as { lambda: number }).lambda;
    expect(g.taste).toBe(false);
    expect(Object.hasOwn(m.files, 'taste.json')).toBe(lambda > 0);
    console.log('trained vs bootstrap:', JSON.stringify({ diff: g.difference, cand: g.candidate_value!.estimate, serv: g.serving_value!.estimate, ms: g.ms, lambda }));

    // Epsilon per surface: recorded with every candidate's estimate, and what policy.json serves.
    const eps = (m.metrics.epsilon as Record<string, { rule: number; chosen: number; n: number; candidates: Array<{ epsilon: number; value: number; eligible: boolean }> }>).home!;
    expect(eps.n).toBe(1000);
    expect(eps.chosen).toBeGreaterThanOrEqual(eps.rule);
    expect(eps.candidates.map((c) => c.epsilon)).toContain(eps.rule);
    expect(eps.candidates.length).toBeGreaterThan(1);
    const policy = await readVerifiedJson(store, m, 'policy.json', Policy);
    expect(policy.surfaces.home!.strategy).toEqual({ name: 'epsilon-greedy', epsilon: eps.chosen });
    console.log('epsilon:', JSON.stringify(eps));
  });

  it('rejects the reversed candidate against the trained serving version too', async () => {
    const before = await serving();
    const r = await runBatch(testConfig(work.dir, { force: true, gate: { slice: 0 } }), { store, now: () => now + 120_000, gate: gateWith(gateOptions, reverseRankings) });
    expect(r.status).toBe('rejected');
    expect((await serving()).version).toBe(before.version);
  });

  it('with an evaluation slice (--gate-slice): learning withholds it, the gate judges both versions on it alone and still rejects the reversed candidate', async () => {
    const before = await serving();
    const slice = 0.3;
    // The gate is given no slice: it takes the one the candidate's learning held out.
    const r = await runBatch(testConfig(work.dir, { force: true, gate: { slice } }), { store, now: () => now + 150_000, gate: gateWith(gateOptions, reverseRankings) });
    expect(r.status).toBe('rejected');
    expect((await serving()).version).toBe(before.version);
    const g = r.gate as unknown as OpeGateVerdict;
    expect(g.eval_slice).toBe(slice);
    // Binomial(2400, 0.3): sd ≈ 22 impressions; 4σ.
    expect(Math.abs(g.n - 2400 * slice)).toBeLessThan(4 * Math.sqrt(2400 * slice * (1 - slice)));
    expect(g.difference!.ci[1]).toBeLessThan(-0.01);
    expect(r.training.eval_slice).toBe(slice);
  });

  it('an operator override publishes the worse candidate and the manifest records who and why', async () => {
    const before = await serving();
    const override = { operator: 'alice', reason: 'incident 42: roll forward the reversed ranking' };
    const r = await runBatch(testConfig(work.dir, { force: true, gate: { slice: 0 } }), { store, now: () => now + 180_000, gate: gateWith({ ...gateOptions, override }, reverseRankings) });
    expect(r.status).toBe('published');
    const m = await serving();
    expect(m.version).toBe(r.version);
    expect(m.parent_version).toBe(before.version);
    const g = m.gate as unknown as OpeGateVerdict;
    expect(g.publish).toBe(true);
    expect(g.forced).toBe(true);
    expect(g.override).toEqual(override);
    expect(g.reason).toMatch(/forced by alice: incident 42/);
    expect(g.difference!.ci[0]).toBeLessThanOrEqual(-0.01);
    // What was forced is what serves: the reversed ranking.
    const shard = await readVerifiedJson(store, m, shardFile(0), UserSlateShard);
    const u = Object.values(shard.users)[0]!;
    expect(u.scores[0]).toBeGreaterThan(u.scores[1]!);
  });

  it('passes, saying why, when too few impressions are logged', async () => {
    const r = await runBatch(testConfig(work.dir, { force: true, gate: { slice: 0 } }), { store, now: () => now + 240_000, gate: gateWith({ ...gateOptions, minImpressions: 100_000 }) });
    expect(r.status).toBe('published');
    const g = r.gate as unknown as OpeGateVerdict;
    expect(g).toMatchObject({ publish: true, evaluated: false, n: 2400, difference: null });
    expect(g.reason).toMatch(/only 2400 logged impressions \(< 100000\)/);
  });

  it('says the logs cannot judge the candidate when they hold no exploration (ε = 0): undecided, whatever the estimate', async () => {
    // Deterministic slates (every propensity 1) of the catalog's world, as a version with exploration off logs them.
    const still = simulateLogs(makeWorld({ users: 300, items: 120, seed: 11 }), { impressionsPerUser: 3, k: 10, epsilon: 0, start: now + 400_000, spanMs: 60_000, seed: 13 });
    await writeLogObjects(store, 'impressions', still.impressions, { perObject: 500, seed: 13 });
    await writeLogObjects(store, 'events', still.events, { perObject: 500, seed: 14 });
    const r = await runBatch(testConfig(work.dir, { force: true, gate: { slice: 0 } }), { store, now: () => now + DAY, gate: gateWith({ ...gateOptions, maxImpressions: 900 }) });
    const g = r.gate as unknown as OpeGateVerdict;
    expect(g.evaluated).toBe(true);
    expect(g.randomised_share).toBe(0);
    expect(g.undecided).toBe(true);
    expect(g.reason).toMatch(/the logs hold no exploration — 0\.0% of slots randomised/);
  });
});
