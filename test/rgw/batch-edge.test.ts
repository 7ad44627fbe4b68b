import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, readPointer, readVerified, readVerifiedJson } from '../../shared/artifact/verify.js';
import { Policy, type Manifest } from '../../shared/schemas/artifact.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import type { S3Store } from '../../gpu-batch/store/s3-store.js';
import { startEdge, type LocalEdge } from '../../local/start-edge.js';
import { T0, seedLogs, tempWorkDir, testConfig, type SyntheticLogs } from '../support/batch-fixtures.js';
import { batchStore, freshBucket, rgwEnv, type RgwEnv } from './rgw-env.js';

const SALT = 'rgw-suite-user-salt-0123456789';

/**
 * Both tiers against RGW with real credentials: the batch tier (AWS SDK) bootstraps and publishes
 * a version, the worker in workerd (aws4fetch, SigV4) loads that version, serves slates from it and
 * writes its impression logs back into the bucket.
 */
describe('batch tier and edge worker against RGW', () => {
  let env: RgwEnv;
  let bucket: string;
  let store: S3Store;
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  let edge: LocalEdge | undefined;
  let logs: SyntheticLogs;
  let manifest: Manifest;

  beforeAll(async () => {
    env = rgwEnv();
    bucket = await freshBucket(env, 'e2e');
    store = batchStore(env, bucket);
    work = await tempWorkDir();
  });

  afterAll(async () => {
    await edge?.stop();
    store?.close();
    await work?.cleanup();
  });

  it('runBatch bootstraps from the catalog and publishes a version whose pointer and files verify', async () => {
    logs = await seedLogs(store, { users: 120, items: 80, impressionsPerUser: 4, seed: 5, start: T0 });
    const r = await runBatch(testConfig(work.dir, { s3: { bucket, endpoint: env.endpoint, region: env.region } }), { store, now: () => T0 });
    expect(r.status).toBe('published');
    const p = await readPointer(store);
    expect(p).not.toBeNull();
    expect(p!.pointer.previous).toBeNull();
    manifest = await readManifest(store, p!.pointer.version, p!.pointer.manifest_sha256);
    expect(manifest.training.bootstrap).toBe(true);
    expect(Object.keys(manifest.files).length).toBeGreaterThan(0);
    for (const f of Object.keys(manifest.files)) await readVerified(store, manifest, f);
    const policy = await readVerifiedJson(store, manifest, 'policy.json', Policy);
    expect(new Set(policy.exploration_pool)).toEqual(new Set(logs.world.items.map((i) => i.id)));
    // The run record landed too.
    expect(await store.get(`state/runs/${r.run_id}.json`)).not.toBeNull();
  });

  it('the edge worker serves a slate from that version and logs the impression to RGW', async () => {
    edge = await startEdge({
      s3: { endpoint: env.endpoint, bucket, region: env.region, accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
      tokenSecret: 'rgw-suite-token-secret-0123456789',
      userSalt: SALT,
    });
    const health = await fetch(new URL('/healthz', edge.url));
    const impressions: string[] = [];
    for (const user of ['alice@example.com', 'bob@example.com', 'carol@example.com']) {
      const r = await fetch(new URL(`/v1/slate?user_id=${encodeURIComponent(user)}&k=5`, edge.url));
      expect(r.status, await r.clone().text()).toBe(200);
      const s = SlateResponse.parse(await r.json());
      expect(s.policy_version).toBe(manifest.version);
      expect(['popularity', 'cache']).toContain(s.source);
      expect(s.items).toHaveLength(5);
      impressions.push(s.impression_id);
    }
    expect([200, 503]).toContain(health.status);
    expect((await (await fetch(new URL('/healthz', edge.url))).json()) as { version?: string }).toMatchObject({ version: manifest.version });

    // The queue consumer writes NDJSON with signed PUTs; poll until it has flushed.
    let logged: ImpressionRecord[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      logged = [];
      const seeded = new Set(logs.keys);
      for (const o of (await store.list('logs/impressions/')).filter((o) => !seeded.has(o.key))) {
        const body = new TextDecoder().decode((await store.get(o.key))!.body);
        for (const line of body.split('\n')) if (line) logged.push(ImpressionRecord.parse(JSON.parse(line)));
      }
      if (impressions.every((id) => logged.some((l) => l.impression_id === id))) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    for (const id of impressions) expect(logged.map((l) => l.impression_id)).toContain(id);
  });
});
