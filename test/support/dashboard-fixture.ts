import { rollback } from '../../gpu-batch/publish/rollback.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import { startBatchServer, type BatchServer } from '../../gpu-batch/serve/serve.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { silentProgress } from '../../gpu-batch/util/progress.js';
import type { EventRecord } from '../../shared/schemas/event.js';
import type { ImpressionRecord } from '../../shared/schemas/impression.js';
import { DAY, T0, seedLogs, tempWorkDir, testConfig } from './batch-fixtures.js';
import { startS3Server, type S3Server } from './s3-server.js';

export const DASHBOARD_TOKEN = 'dashboard-test-token-0123456789';

/** A bucket with a history worth a dashboard, and `batch serve` on it. */
export interface DashboardWorld {
  s3: S3Server;
  store: S3Store;
  server: BatchServer;
  impressions: ImpressionRecord[];
  events: EventRecord[];
  /** The versions published, oldest first; the newest was rolled back. */
  published: string[];
  close(): Promise<void>;
}

/**
 * Three real batch runs over two days of synthetic logs (the second and third with the deploy
 * gate), a log object that gets quarantined, then a rollback — and `batch serve` on the bucket.
 */
export async function dashboardWorld(): Promise<DashboardWorld> {
  const s3 = await startS3Server();
  const creds = { endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  const store = S3Store.fromConfig(creds);
  const work = await tempWorkDir();
  const config = testConfig(work.dir, { s3: creds, epochs: 2, serve: { port: 0, everyMs: 0, triggerToken: DASHBOARD_TOKEN }, gate: { minImpressions: 50, tolerance: 1 } });
  const published: string[] = [];
  const run = async (now: number) => {
    const r = await runBatch(config, { store, progress: silentProgress, now: () => now });
    if (r.status === 'published') published.push(r.version!);
    return r;
  };
  const day1 = await seedLogs(store, { users: 80, items: 40, impressionsPerUser: 4, seed: 3, start: T0, spanMs: DAY / 2 });
  await run(T0 + DAY);
  const day2 = await seedLogs(store, { users: 80, items: 40, impressionsPerUser: 4, seed: 4, start: T0 + DAY, spanMs: DAY / 2, catalog: false });
  await store.put(`logs/impressions/dt=2026-01-02/hr=13/${T0 + DAY + 13 * 3_600_000}-badbadbadbadbad0.ndjson`, '{"schema":"impression/v1","impression_id":"truncated"\n');
  await run(T0 + 2 * DAY);
  const day3 = await seedLogs(store, { users: 80, items: 40, impressionsPerUser: 2, seed: 5, start: T0 + 2 * DAY, spanMs: DAY / 2, catalog: false });
  await run(T0 + 3 * DAY);
  await rollback(store, T0 + 3 * DAY + 60_000);
  const server = await startBatchServer(config, store, { progress: silentProgress });
  return {
    s3,
    store,
    server,
    impressions: [...day1.impressions, ...day2.impressions, ...day3.impressions],
    events: [...day1.events, ...day2.events, ...day3.events],
    published,
    async close() {
      await server.close();
      store.close();
      await s3.stop();
      await work.cleanup();
    },
  };
}
