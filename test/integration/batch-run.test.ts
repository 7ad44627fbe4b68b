import { describe, expect, it } from 'vitest';
import { ArtifactCache } from '../../edge/artifact/artifact-cache.js';
import { IMPRESSIONS_PREFIX, QUARANTINE_PREFIX, WATERMARK_KEY, shardFile } from '../../shared/artifact/paths.js';
import { readManifest, readPointer, readVerified, readVerifiedJson } from '../../shared/artifact/verify.js';
import { ItemsFile, Policy, UserSlateShard, type Manifest } from '../../shared/schemas/artifact.js';
import { PosteriorsFile } from '../../shared/schemas/posteriors.js';
import { dequantizeRows } from '../../shared/scoring/quantize.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import { DAY, T0, seedLogs, testConfig, type SyntheticLogs } from '../support/batch-fixtures.js';
import { useS3Fixture } from '../support/s3-fixture.js';

/**
 * The batch tier end to end against a real S3-compatible server (s3rver over HTTP, AWS SDK):
 * bootstrap, logs in → version out, an idempotent second run, and quarantine of bad objects.
 * One bucket, one story: each step builds on the state the previous one left.
 */
describe('batch run against an S3 server', () => {
  const fx = useS3Fixture();
  let logs: SyntheticLogs;
  const now = T0 + 2 * DAY;


  async function serving(): Promise<Manifest> {
    const p = await readPointer(fx.store);
    expect(p).not.toBeNull();
    return readManifest(fx.store, p!.pointer.version, p!.pointer.manifest_sha256);
  }

  /** Every object's key and ETag: what "changes nothing" is checked against. */
  async function snapshot(): Promise<Map<string, string>> {
    return new Map((await fx.store.list('')).map((o) => [o.key, o.etag]));
  }

  it('publishes an exploring bootstrap version from the catalog alone', async () => {
    logs = await seedLogs(fx.store, { users: 300, items: 120, impressionsPerUser: 8, seed: 11, start: T0, spanMs: DAY });
    // Only the catalog counts for now: hide the logs behind the settle lag by running "earlier".
    const r = await runBatch(testConfig(fx.work.dir), { store: fx.store, now: () => T0 });
    expect(r.status).toBe('published');
    const m = await serving();
    expect(m.training.bootstrap).toBe(true);
    expect(m.counts.impressions).toBe(0);
    const policy = await readVerifiedJson(fx.store, m, 'policy.json', Policy);
    expect(policy.surfaces.home?.strategy).toEqual({ name: 'epsilon-greedy', epsilon: 1 });
    expect(new Set(policy.exploration_pool)).toEqual(new Set(logs.world.items.map((i) => i.id)));
    expect(policy.popularity.length).toBeGreaterThanOrEqual(3 * policy.surfaces.home!.k_max);
  });

  it('learns from synthetic logs and publishes a version the edge loader accepts', async () => {
    const before = (await readPointer(fx.store))!.pointer.version;
    const r = await runBatch(testConfig(fx.work.dir), { store: fx.store, now: () => now });
    expect(r.status).toBe('published');
    expect(r.quarantined).toEqual([]);
    const m = await serving();
    expect(m.parent_version).toBe(before);
    expect(m.gate).toBeNull();
    expect(m.training.backend).toBe('wasm');
    // Exactly once despite ~20% duplicated objects.
    expect(m.counts.impressions).toBe(logs.impressions.length);
    expect(m.counts.events).toBe(logs.events.length);
    expect(m.counts.clicks).toBe(logs.events.length);
    expect(m.counts.impression_items).toBe(logs.impressions.reduce((a, i) => a + i.items.length, 0));
    // Late clicks (after the 30 min window) earn nothing.
    const late = logs.events.filter((e) => e.received_at - logs.impressions.find((i) => i.impression_id === e.impression_id)!.ts > 30 * 60_000).length;
    expect(late).toBeGreaterThan(0);
    expect(m.counts.rewarded_items).toBe(logs.events.length - late);

    for (const file of Object.keys(m.files)) await readVerified(fx.store, m, file);
    const policy = await readVerifiedJson(fx.store, m, 'policy.json', Policy);
    expect(policy.candidates_per_user).toBeGreaterThanOrEqual(3 * policy.surfaces.home!.k_max);
    expect(policy.surfaces.home!.strategy.name).toBe('epsilon-greedy');
    const items = await readVerifiedJson(fx.store, m, 'items.json', ItemsFile);
    expect(items.ids.length).toBe(m.item_count);
    const f32 = await readVerified(fx.store, m, 'items.f32');
    // A trained version's matrix: the model's item vectors and a base-appeal column (the wasm step's).
    expect(items.dims).toBe(m.dims + 1);
    expect(items.recent?.base_scale).toBeGreaterThan(0);
    expect(f32.byteLength).toBe(m.item_count * items.dims * 4);
    const vectors = new Float32Array(f32.buffer.slice(f32.byteOffset, f32.byteOffset + f32.byteLength));
    const i8 = await readVerified(fx.store, m, 'items.i8');
    const scale = await readVerified(fx.store, m, 'items.scale.f32');
    const deq = dequantizeRows({ q: new Int8Array(i8.buffer.slice(i8.byteOffset, i8.byteOffset + i8.byteLength)), scale: new Float32Array(scale.buffer.slice(scale.byteOffset, scale.byteOffset + scale.byteLength)) }, items.dims);
    const maxErr = Math.max(...vectors.map((v, j) => Math.abs(v - deq[j]!)));
    expect(maxErr).toBeLessThan(0.05);
    const post = await readVerifiedJson(fx.store, m, 'posteriors.json', PosteriorsFile);
    expect(post.ids).toEqual(items.ids);
    // The last column × base_scale is each item's base-appeal logit (its posterior mean's).
    for (let i = 0; i < items.ids.length; i += 17) {
      const mean = post.alpha[i]! / (post.alpha[i]! + post.beta[i]!);
      expect(vectors[i * items.dims + m.dims]! * items.recent!.base_scale).toBeCloseTo(Math.log(mean / (1 - mean)), 2);
    }

    let users = 0;
    for (let s = 0; s < m.shards; s++) {
      const shard = await readVerifiedJson(fx.store, m, shardFile(s), UserSlateShard);
      for (const [, c] of Object.entries(shard.users)) {
        users++;
        expect(c.items.length).toBe(policy.candidates_per_user);
        expect(new Set(c.items).size).toBe(c.items.length);
        expect([...c.scores]).toEqual([...c.scores].sort((a, b) => b - a));
      }
    }
    expect(users).toBe(new Set(logs.impressions.map((i) => i.user_key)).size);

    // The edge's own loader: pointer → manifest → policy, and a user's cached candidates.
    const cache = new ArtifactCache(() => {});
    const loaded = await cache.get(fx.store, now, { ttlMs: 30_000, hardTtlMs: 900_000 }, () => {});
    expect(loaded.version).toBe(m.version);
    const cands = await cache.userCandidates(fx.store, loaded, logs.impressions[0]!.user_key, now);
    expect(cands?.items.length).toBe(policy.candidates_per_user);
  });

  it('a second run with no new logs changes nothing but its run record', async () => {
    const before = await snapshot();
    const r = await runBatch(testConfig(fx.work.dir), { store: fx.store, now: () => now + 60_000 });
    expect(r.status).toBe('unchanged');
    const after = await snapshot();
    const added = [...after.keys()].filter((k) => !before.has(k));
    const changed = [...before.keys()].filter((k) => after.get(k) !== before.get(k));
    expect(added).toEqual([`state/runs/${r.run_id}.json`]);
    expect(changed).toEqual([]);
  });

  it('quarantines corrupt and truncated objects with a reason, reports them, and still learns the rest', async () => {
    const before = await serving();
    const t = T0 + DAY + 3_600_000;
    const hour = new Date(t).toISOString();
    const prefix = `${IMPRESSIONS_PREFIX}dt=${hour.slice(0, 10)}/hr=${hour.slice(11, 13)}/`;
    const truncated = `${prefix}${t}-aaaa.ndjson`;
    const corrupt = `${prefix}${t + 1}-bbbb.ndjson`;
    const good = `${prefix}${t + 2}-cccc.ndjson`;
    const extra = { ...logs.impressions[0]!, impression_id: 'extra-impression-1', ts: t };
    const line = JSON.stringify(extra);
    await fx.store.put(truncated, `${line}\n${line.slice(0, line.length / 2)}`);
    await fx.store.put(corrupt, new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0x13]));
    await fx.store.put(good, `${line}\n`);

    const r = await runBatch(testConfig(fx.work.dir), { store: fx.store, now: () => t + DAY });
    expect(r.status).toBe('published');
    expect(r.quarantined.map((q) => q.key).sort()).toEqual([truncated, corrupt].sort());
    expect(r.quarantined.find((q) => q.key === truncated)!.reason).toMatch(/line 2: not valid JSON/);
    expect(r.quarantined.find((q) => q.key === corrupt)!.reason).toMatch(/UTF-8/);
    for (const key of [truncated, corrupt]) {
      expect(await fx.store.get(key)).toBeNull();
      const moved = key.replace(/^logs\//, QUARANTINE_PREFIX);
      expect(await fx.store.get(moved)).not.toBeNull();
      const reason = JSON.parse(new TextDecoder().decode((await fx.store.get(`${moved}.reason.json`))!.body));
      expect(reason.key).toBe(key);
    }
    const m = await serving();
    expect(m.counts.impressions).toBe(before.counts.impressions! + 1);
    expect(m.counts.events).toBe(before.counts.events);
    const wm = JSON.parse(new TextDecoder().decode((await fx.store.get(WATERMARK_KEY))!.body));
    expect(wm.impressions_after).toBe(good);
    expect(wm.version).toBe(m.version);
  });
});
