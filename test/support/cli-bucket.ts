import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { tempWorkDir } from './batch-fixtures.js';
import { startS3Server, type S3Server } from './s3-server.js';

/** An S3 server with an empty bucket, a work dir, and the environment the CLI reads them from. */
export interface CliBucket {
  s3: S3Server;
  store: S3Store;
  work: { dir: string };
  /** S3_* and SLATECAST_WORK_DIR, for `runCli(env, …)`. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startCliBucket(): Promise<CliBucket> {
  const s3 = await startS3Server();
  const store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const work = await tempWorkDir();
  const env = { S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, SLATECAST_WORK_DIR: work.dir };
  return {
    s3,
    store,
    work,
    env,
    async close() {
      store.close();
      await s3.stop();
      await work.cleanup();
    },
  };
}
