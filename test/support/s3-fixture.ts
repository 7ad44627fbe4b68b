import { afterAll, beforeAll } from 'vitest';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { tempWorkDir } from './batch-fixtures.js';
import { startS3Server, type S3Server } from './s3-server.js';

/** What a suite against the embedded S3 server holds, set once its `beforeAll` has run. */
export interface S3Fixture {
  s3: S3Server;
  store: S3Store;
  work: Awaited<ReturnType<typeof tempWorkDir>>;
}

/**
 * Registers the usual `beforeAll`/`afterAll` of a suite against the embedded S3 server: a server
 * with one bucket, an `S3Store` on it and a temporary batch work dir, all removed afterwards.
 * Read the fields inside tests and hooks (they are set when the suite starts).
 */
export function useS3Fixture(): S3Fixture {
  const f = {} as S3Fixture;
  beforeAll(async () => {
    f.s3 = await startS3Server();
    f.store = S3Store.fromConfig({ endpoint: f.s3.endpoint, bucket: f.s3.bucket, region: f.s3.region, accessKeyId: f.s3.accessKeyId, secretAccessKey: f.s3.secretAccessKey });
    f.work = await tempWorkDir();
  });
  afterAll(async () => {
    f.store?.close();
    await f.s3?.stop();
    await f.work?.cleanup();
  });
  return f;
}
