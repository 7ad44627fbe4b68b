import { mkdir, writeFile } from 'node:fs/promises';
import { loadConfig } from '../../gpu-batch/config/config.js';
import { startBatchServer, type BatchServer } from '../../gpu-batch/serve/serve.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import type { Progress } from '../../gpu-batch/util/progress.js';
import { startS3Server, type S3Server } from '../s3-server.js';
import { startEdge, type LocalEdge } from '../start-edge.js';
import { bootstrapWhenCatalogArrives } from './bootstrap.js';
import { wranglerDevPort } from './dev-port.js';
import { claimDataDir, stackFiles, writeStackEnv, type StackInfo } from './data-dir.js';
import type { StackOptions } from './options.js';
import { loadOrCreateSecrets, type StackSecrets } from './secrets.js';

/**
 * Time the edge keeps running after the batch tier stops, so impressions and events already
 * accepted leave Miniflare's in-memory queue for S3: the log buffer's window plus the consumer's
 * `max_batch_timeout` (2 s in wrangler.toml), with margin.
 */
const QUEUE_DRAIN_MS = 3000;

/** A running local stack. */
export interface Stack {
  info: StackInfo;
  secrets: StackSecrets;
  /** True when this start generated the secrets (first run in this data dir). */
  secretsCreated: boolean;
  batch: BatchServer;
  store: S3Store;
  /** Resolves with the first served version (at once when one is already published). */
  firstVersion: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the embedded S3 server on `<dataDir>/s3`, `batch serve` on a schedule and the edge in
 * workerd, wired together with the data dir's own secrets; writes `stack.json` and `stack.env`
 * (addresses and the variables the CLI needs) into the data dir.
 * @param env the caller's environment: batch tuning (SLATECAST_*) is read from it
 */
export async function startStack(o: StackOptions, env: Record<string, string | undefined>, progress: Progress): Promise<Stack> {
  await mkdir(o.dataDir, { recursive: true });
  const files = stackFiles(o.dataDir);
  const release = await claimDataDir(files.info);
  const h: { s3?: S3Server; store?: S3Store; batch?: BatchServer; edge?: LocalEdge; watcher?: { stop(): void } } = {};
  const step = async (what: string, f: () => unknown) => {
    try {
      await f();
    } catch (e) {
      progress.warn(`stopping ${what}: ${(e as Error).message}`);
    }
  };
  // Order matters: no new runs, finish the one in progress, let the edge's queue reach S3, then S3.
  const stop = async () => {
    h.watcher?.stop();
    if (h.batch) await step('batch serve', () => h.batch!.close());
    if (h.edge) await step('the edge', async () => {
      await new Promise((r) => setTimeout(r, QUEUE_DRAIN_MS));
      await h.edge!.stop();
    });
    h.store?.close();
    if (h.s3) await step('the S3 server', () => h.s3!.stop());
    await release();
  };
  try {
    const { secrets, created } = await loadOrCreateSecrets(files.secrets);
    const s3 = (h.s3 = await startS3Server('slatecast', { directory: files.s3, port: o.s3Port }));
    const config = loadConfig(
      { ...env, S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_REGION: s3.region, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, BATCH_TRIGGER_TOKEN: secrets.BATCH_TRIGGER_TOKEN, PORT: undefined },
      { 'work-dir': files.work, every: o.every, settle: o.settle, port: String(o.batchPort), host: '127.0.0.1' },
    );
    const store = (h.store = S3Store.fromConfig(config.s3));
    const batch = (h.batch = await startBatchServer(config, store, { progress }));
    const edge = (h.edge = await startEdge({
      s3,
      tokenSecret: secrets.TOKEN_SECRET,
      userSalt: secrets.USER_SALT,
      port: o.port ?? wranglerDevPort(),
      // A short TTL so a retrain shows within seconds; the cron trigger reaches this batch server.
      vars: { ARTIFACT_TTL_S: '2', BATCH_TRIGGER_URL: `${batch.url}/trigger`, BATCH_TRIGGER_TOKEN: secrets.BATCH_TRIGGER_TOKEN },
    }));
    const firstVersion = new Promise<string>((resolve) => {
      h.watcher = bootstrapWhenCatalogArrives(store, batch.scheduler, resolve);
    });
    const info: StackInfo = { pid: process.pid, edge: edge.url.toString().replace(/\/$/, ''), batch: batch.url, s3: s3.endpoint, bucket: s3.bucket, data_dir: o.dataDir, started_at: new Date().toISOString() };
    await writeFile(files.info, `${JSON.stringify(info, null, 2)}\n`);
    await writeStackEnv(files.env, info, s3, secrets);
    return { info, secrets, secretsCreated: created, batch, store, firstVersion, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
