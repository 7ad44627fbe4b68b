import { describe, expect, it } from 'vitest';
import { ArtifactCache } from '../../edge/artifact/artifact-cache.js';
import { artifactKey, CATALOG_KEY, POINTER_KEY } from '../../shared/artifact/paths.js';
import { readPointer, readPointerState } from '../../shared/artifact/verify.js';
import { catalogNdjson } from '../../gpu-batch/catalog/parse-catalog.js';
import { rollback } from '../../gpu-batch/publish/rollback.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import { batchStatus, formatStatus } from '../../gpu-batch/run/status.js';
import { makeWorld, simulateLogs, writeLogObjects } from '../../worlds/synth/index.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { DAY, T0, testConfig } from '../support/batch-fixtures.js';
import { useS3Fixture } from '../support/s3-fixture.js';

const SALT = 'store-faults-salt-0123456789';
const times = { ttlMs: 1000, hardTtlMs: 5000 };
const keep = () => {};

/**
 * Store faults found by probing against a real S3-compatible server: a lake with
 * impressions but no events yet, a corrupt newest version, and an unparseable CURRENT. One bucket,
 * one story: each step builds on the state the previous one left.
 */
describe('store faults against an S3 server', () => {
  const fx = useS3Fixture();
  const versions: string[] = [];


  it('3: batch run learns from a lake that has impressions but no events yet', async () => {
    const world = makeWorld({ users: 60, items: 40, seed: 3 });
    await fx.store.put(CATALOG_KEY, catalogNdjson(world.items));
    const logs = simulateLogs(world, { impressionsPerUser: 4, k: 5, epsilon: 1, start: T0, spanMs: DAY, seed: 3, lateFraction: 0 });
    await writeLogObjects(fx.store, 'impressions', logs.impressions, { perObject: 100, seed: 3, duplicateObjects: 0 });
    const r = await runBatch(testConfig(fx.work.dir), { store: fx.store, now: () => T0 + 2 * DAY });
    expect(r.status).toBe('published');
    expect(r.counts).toMatchObject({ impressions: logs.impressions.length, events: 0, rewarded_items: 0 });
    versions.push(r.version!);
  });

  it('1: a corrupt newest version: status reports it, the edge loader walks back, batch run publishes over it', async () => {
    const now = Date.now();
    for (const [i, suffix] of ['b22222', 'b33333'].entries()) versions.push((await publishFixture(fx.store, { salt: SALT, suffix, now: now + i * 1000 })).version);
    const [v1, v2, v3] = versions as [string, string, string];
    await fx.store.put(artifactKey(v3, 'manifest.json'), '{"schema":"manifest/v1","version":"corrupt"}');
    await fx.store.put(artifactKey(v2, 'policy.json'), '{}');

    const s = await batchStatus(fx.store, now + 5000);
    expect(s).toMatchObject({ pointer_version: v3, serving: { version: v1 } });
    expect(s.problem).toContain(`names ${v3}, which fails verification`);
    expect(s.refused.map((x) => x.version)).toEqual([v3, v2]);
    expect(formatStatus(s)).toContain(`problem: artifacts/CURRENT names ${v3}`);

    const edge = new ArtifactCache(keep, keep);
    expect((await edge.get(fx.store, now, times, keep)).version).toBe(v1);
    expect(edge.health().problem?.code).toBe('version_refused');

    const r = await runBatch(testConfig(fx.work.dir), { store: fx.store, now: () => T0 + 2 * DAY });
    expect(r.status).toBe('published');
    expect(r.serving_before).toBe(v1);
    const p = (await readPointer(fx.store))!.pointer;
    expect(p).toMatchObject({ version: r.version, previous: v3 });
    expect(p.history!.map((e) => e.version)).toEqual([v3, v2, v1]);
    versions.push(r.version!);
    expect((await batchStatus(fx.store, Date.now())).problem).toBeNull();
  });

  it('1: rollback without a version skips corrupt ones and picks the most recent earlier version that verifies', async () => {
    const [v1, , , v4] = versions as [string, string, string, string];
    expect(await rollback(fx.store, Date.now())).toEqual({ from: v4, to: v1 });
    expect((await readPointer(fx.store))!.pointer).toMatchObject({ version: v1, reason: 'rollback' });
    // A second rollback undoes the first (as `previous` did), again past the corrupt ones.
    expect(await rollback(fx.store, Date.now())).toEqual({ from: v1, to: v4 });
    expect(await rollback(fx.store, Date.now())).toEqual({ from: v4, to: v1 });
  });

  it('2: an unparseable CURRENT is a bad pointer: the cached version serves past the hard TTL, status says why, batch run replaces it', async () => {
    const edge = new ArtifactCache(keep, keep);
    const t = Date.now();
    const serving = (await edge.get(fx.store, t, times, keep)).version;
    await fx.store.put(POINTER_KEY, 'not json at all');
    const late = t + times.hardTtlMs + 1000;
    await edge.refresh(fx.store, late);
    expect((await edge.get(fx.store, late, times, keep)).version).toBe(serving);
    expect(edge.health().problem).toMatchObject({ code: 'bad_pointer' });

    const s = await batchStatus(fx.store, late);
    expect(s.serving).toBeNull();
    expect(s.problem).toContain('not valid JSON');
    expect(formatStatus(s)).toContain('problem: artifacts/CURRENT is not valid JSON');

    const r = await runBatch(testConfig(fx.work.dir), { store: fx.store, now: () => T0 + 2 * DAY });
    expect(r.status).toBe('published');
    const after = await readPointerState(fx.store);
    expect(after).toMatchObject({ kind: 'ok', pointer: { version: r.version, previous: null } });
    await edge.refresh(fx.store, late + 2000);
    expect((await edge.get(fx.store, late + 2000, times, keep)).version).toBe(r.version);
    expect(edge.health().problem).toBeNull();
  });
});
