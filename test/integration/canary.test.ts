import { describe, expect, it } from 'vitest';
import { inCanary } from '../../shared/artifact/canary.js';
import { readManifest, readPointer } from '../../shared/artifact/verify.js';
import type { Canary } from '../../shared/schemas/artifact.js';
import type { DeploymentGate } from '../../gpu-batch/publish/gate.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import type { StepName } from '../../gpu-batch/run/run-record.js';
import { simulateLogs, writeLogObjects } from '../../worlds/synth/index.js';
import { DAY, T0, seedLogs, testConfig, type SyntheticLogs } from '../support/batch-fixtures.js';
import { useS3Fixture } from '../support/s3-fixture.js';

/**
 * The canary's life through `batch run` against an S3 server: a candidate the gate cannot judge
 * goes out to a share of users beside the serving version; the next run reads both arms' traffic
 * from the lake and promotes the canary or rolls it back, then judges its own candidate against
 * what serves after. One bucket, one story. The gate is injected (what it says is what is being
 * tested against); the traffic is synthetic logs split by the canary's own hash, one arm's
 * clicks thinned so the verdict is clear.
 */
describe('canary through batch run', () => {
  const fx = useS3Fixture();
  let world: SyntheticLogs['world'];
  const config = () => testConfig(fx.work.dir, { gate: { enabled: true, canaryShare: 0.25 } });
  const gate = (verdict: { publish: boolean; undecided?: boolean }): DeploymentGate => async () => ({ reason: 'test gate', ...verdict });
  const pointer = async () => (await readPointer(fx.store))!.pointer;

  /** A day of traffic after the canary started: each user's slates logged with the version their arm served; `keep` of the losing arm's clicks. */
  async function armTraffic(canary: Canary, control: string, loser: 'canary' | 'control', seed: number): Promise<void> {
    const logs = simulateLogs(world, { impressionsPerUser: 6, k: 10, epsilon: 1, start: canary.started_at + 1, spanMs: DAY, seed });
    const arm = new Map(logs.impressions.map((i) => [i.impression_id, inCanary(i.user_key, canary) ? 'canary' : 'control']));
    const impressions = logs.impressions.map((i) => ({ ...i, policy_version: arm.get(i.impression_id) === 'canary' ? canary.version : control }));
    // Thin the losing arm's clicks to a third, deterministically by event order.
    const events = logs.events.filter((e, n) => arm.get(e.impression_id) !== loser || n % 3 === 0);
    await writeLogObjects(fx.store, 'impressions', impressions, { perObject: 500, seed });
    await writeLogObjects(fx.store, 'events', events, { perObject: 500, seed: seed + 1 });
  }

  it('publishes a candidate the gate cannot judge as a canary beside the serving version', async () => {
    world = (await seedLogs(fx.store, { users: 400, items: 60, impressionsPerUser: 6, seed: 31, start: T0, spanMs: DAY, duplicateObjects: 0 })).world;
    const first = await runBatch(config(), { store: fx.store, now: () => T0 + 2 * DAY });
    expect(first.status).toBe('published');
    const v1 = first.version!;

    await seedLogs(fx.store, { users: 400, items: 60, impressionsPerUser: 3, seed: 32, start: T0 + 2 * DAY, spanMs: DAY, duplicateObjects: 0, catalog: false });
    const r = await runBatch(config(), { store: fx.store, now: () => T0 + 4 * DAY, gate: gate({ publish: false, undecided: true }) });
    expect(r.status).toBe('canary');
    expect(r.decision).toMatch(/serves 25% of users as a canary beside/);
    const p = await pointer();
    expect(p.version).toBe(v1);
    expect(p.canary).toMatchObject({ version: r.version, share: 0.25, started_at: T0 + 4 * DAY });
    expect(p.history?.map((e) => e.version)).not.toContain(r.version);
  });

  it('promotes a canary whose users clicked more, then judges its own candidate against it', async () => {
    const before = await pointer();
    const canary = before.canary!;
    await armTraffic(canary, before.version, 'control', 41);
    const r = await runBatch(config(), { store: fx.store, now: () => T0 + 6 * DAY, gate: gate({ publish: true }) });
    expect(r.canary).toMatchObject({ version: canary.version, control_version: before.version, outcome: 'promote' });
    expect(r.status).toBe('published');
    // The evidence stays with the version this run published.
    const m = await readManifest(fx.store, r.version!, null);
    expect(m.canary).toMatchObject({ version: canary.version, outcome: 'promote', users: { canary: expect.any(Number), control: expect.any(Number) } });
    const p = await pointer();
    expect(p.version).toBe(r.version);
    expect(p.canary).toBeUndefined();
    // The promoted canary is what the new version replaced, and the old serving version is behind it.
    expect(p.previous).toBe(canary.version);
    expect(p.history?.map((e) => e.version).slice(0, 2)).toEqual([canary.version, before.version]);
  });

  it('rolls back a canary whose users clicked less (also when the run dies right after deciding)', async () => {
    await seedLogs(fx.store, { users: 400, items: 60, impressionsPerUser: 3, seed: 33, start: T0 + 6 * DAY, spanMs: DAY, duplicateObjects: 0, catalog: false });
    const c = await runBatch(config(), { store: fx.store, now: () => T0 + 8 * DAY, gate: gate({ publish: true, undecided: true }) });
    expect(c.status).toBe('canary');
    const before = await pointer();
    await armTraffic(before.canary!, before.version, 'canary', 51);

    class Crash extends Error {}
    const crash = (s: StepName) => {
      if (s === 'canary') throw new Crash('killed after canary');
    };
    await expect(runBatch(config(), { store: fx.store, now: () => T0 + 10 * DAY, gate: gate({ publish: false }), afterStep: crash })).rejects.toBeInstanceOf(Crash);
    let p = await pointer();
    expect(p.version).toBe(before.version);
    expect(p.canary).toBeUndefined();
    expect(p.previous).toBe(before.previous);

    // The re-run finds no canary left to judge and goes on with its own candidate, which the gate rejects.
    const r = await runBatch(config(), { store: fx.store, now: () => T0 + 10 * DAY + 60_000, gate: gate({ publish: false }) });
    expect(r.canary).toBeNull();
    expect(r.status).toBe('rejected');
    p = await pointer();
    expect(p.version).toBe(before.version);
    expect(p.canary).toBeUndefined();
  });

  it('ends a canary unjudged when the version CURRENT names no longer verifies, and publishes over it', async () => {
    await seedLogs(fx.store, { users: 400, items: 60, impressionsPerUser: 2, seed: 34, start: T0 + 10 * DAY, spanMs: DAY, duplicateObjects: 0, catalog: false });
    const c = await runBatch(config(), { store: fx.store, now: () => T0 + 12 * DAY, gate: gate({ publish: true, undecided: true }) });
    expect(c.status).toBe('canary');
    const broken = (await pointer()).version;
    await fx.store.put(`artifacts/${broken}/policy.json`, '{"tampered": true}');
    await seedLogs(fx.store, { users: 400, items: 60, impressionsPerUser: 2, seed: 35, start: T0 + 12 * DAY, spanMs: DAY, duplicateObjects: 0, catalog: false });
    const r = await runBatch(config(), { store: fx.store, now: () => T0 + 14 * DAY, gate: gate({ publish: true }) });
    expect(r.canary).toMatchObject({ version: c.version, outcome: 'ended' });
    expect(r.status).toBe('published');
    const p = await pointer();
    expect(p.version).toBe(r.version);
    expect(p.canary).toBeUndefined();
  });
});
