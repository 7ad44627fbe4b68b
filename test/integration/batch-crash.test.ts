import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, readPointer } from '../../shared/artifact/verify.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { STEPS, type StepName } from '../../gpu-batch/run/run-record.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { writeLogObjects } from '../../worlds/synth/write-logs.js';
import { DAY, T0, seedLogs, tempWorkDir, testConfig } from '../support/batch-fixtures.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

class Crash extends Error {}

/**
 * Kill a run right after each step, re-run, and check the exactly-once ledger in the manifest:
 * nothing lost, nothing counted twice — also when later runs see the same records again.
 */
describe('a batch run killed between steps and re-run', () => {
  let s3: S3Server;
  const stores: S3Store[] = [];

  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    for (const s of stores) s.close();
    await s3?.stop();
  });

  async function bucket(name: string): Promise<S3Store> {
    const store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: name, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    await store.client.send(new CreateBucketCommand({ Bucket: name }));
    stores.push(store);
    return store;
  }

  async function counts(store: ObjectStore): Promise<Record<string, number>> {
    const p = (await readPointer(store))!;
    return (await readManifest(store, p.pointer.version, p.pointer.manifest_sha256)).counts;
  }

  // The canary step runs only while CURRENT names a canary: its crash is test/integration/canary.test.ts's.
  it.each(STEPS.filter((s) => s !== 'canary').map((s) => [s]))('after "%s"', async (step: StepName) => {
    const store = await bucket(`crash-${step}`);
    const work = await tempWorkDir();
    try {
      const round1 = await seedLogs(store, { users: 120, items: 60, impressionsPerUser: 5, seed: 21, start: T0, spanMs: DAY, duplicateObjects: 0.3 });
      const config = testConfig(work.dir, { epochs: 2, finetuneEpochs: 0 });
      const crashAt = (s: StepName) => {
        if (s === step) throw new Crash(`killed after ${s}`);
      };
      await expect(runBatch(config, { store, now: () => T0 + 2 * DAY, afterStep: crashAt })).rejects.toBeInstanceOf(Crash);

      const rerun = await runBatch(config, { store, now: () => T0 + 2 * DAY + 60_000 });
      expect(rerun.status).toBe(step === 'publish' || step === 'watermark' ? 'unchanged' : 'published');
      expect(await counts(store)).toMatchObject({ impressions: round1.impressions.length, events: round1.events.length, clicks: round1.events.length });

      // Later: new logs, plus every round-1 record delivered again under new object keys.
      const round2 = await seedLogs(store, { users: 120, items: 60, impressionsPerUser: 3, seed: 22, start: T0 + 2 * DAY, spanMs: DAY, catalog: false });
      await writeLogObjects(store, 'impressions', round1.impressions.map((i) => ({ ...i, ts: i.ts + 2 * DAY })).slice(0, 100), { perObject: 50, seed: 5 });
      const replayed = round1.impressions.slice(0, 100).map((i) => i.impression_id);
      const r3 = await runBatch(config, { store, now: () => T0 + 4 * DAY });
      expect(r3.status).toBe('published');
      expect(r3.records.impressions.read).toBeGreaterThanOrEqual(round2.impressions.length + replayed.length);
      expect(await counts(store)).toMatchObject({
        impressions: round1.impressions.length + round2.impressions.length,
        events: round1.events.length + round2.events.length,
      });
    } finally {
      await work.cleanup();
    }
  });

  it('a fresh work dir rebuilds the lake from the store and counts the same', async () => {
    const store = await bucket('crash-fresh-dir');
    const a = await tempWorkDir();
    const b = await tempWorkDir();
    try {
      const logs = await seedLogs(store, { users: 100, items: 50, impressionsPerUser: 4, seed: 31, start: T0, spanMs: DAY });
      await expect(runBatch(testConfig(a.dir, { epochs: 1, finetuneEpochs: 0 }), { store, now: () => T0 + 2 * DAY, afterStep: (s) => { if (s === 'ingest') throw new Crash(); } })).rejects.toBeInstanceOf(Crash);
      const r = await runBatch(testConfig(b.dir, { epochs: 1, finetuneEpochs: 0 }), { store, now: () => T0 + 2 * DAY });
      expect(r.status).toBe('published');
      expect(r.records.impressions.added).toBe(0);
      expect(await counts(store)).toMatchObject({ impressions: logs.impressions.length, events: logs.events.length });
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});
