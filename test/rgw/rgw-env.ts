import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { S3HttpStore } from '../../edge/store/s3-http-store.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';

/** Where and how to reach the RGW under test (`local/rgw/start-rgw.sh` prints these). */
export interface RgwEnv {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The bucket the start script created; suites make their own with `freshBucket`. */
  bucket: string;
}

/**
 * The RGW connection: from S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (S3_BUCKET,
 * S3_REGION optional) when S3_ENDPOINT is set, otherwise, with SLATECAST_TEST_S3=rgw, from the
 * env file the start script writes (`$RGW_DIR/env`, default /tmp/slatecast-rgw/env).
 * @throws with what to run when neither is there
 */
export function rgwEnv(): RgwEnv {
  let vars: Record<string, string | undefined> = process.env;
  if (!process.env.S3_ENDPOINT) {
    const file = `${process.env.RGW_DIR ?? '/tmp/slatecast-rgw'}/env`;
    if (process.env.SLATECAST_TEST_S3 !== 'rgw' || !existsSync(file)) {
      throw new Error(`the RGW suite needs a running RGW: run \`local/rgw/start-rgw.sh\`, then \`SLATECAST_TEST_S3=rgw npm run test:rgw\` (or set S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)`);
    }
    vars = Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }
  const need = (k: string) => {
    const v = vars[k];
    if (!v) throw new Error(`${k} is not set`);
    return v;
  };
  return { endpoint: need('S3_ENDPOINT'), region: vars.S3_REGION || 'us-east-1', accessKeyId: need('S3_ACCESS_KEY_ID'), secretAccessKey: need('S3_SECRET_ACCESS_KEY'), bucket: vars.S3_BUCKET || 'slatecast' };
}

/** A new, empty bucket with a unique name, so suites and re-runs against one RGW never collide. */
export async function freshBucket(env: RgwEnv, label: string): Promise<string> {
  const name = `sc-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const client = sdkClient(env);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}

/** A bare SDK client without retries: to see the server's own answers. */
export function sdkClient(env: RgwEnv, secretAccessKey = env.secretAccessKey, accessKeyId = env.accessKeyId): S3Client {
  return new S3Client({
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
}

/** The batch tier's adapter (AWS SDK) on `bucket`, configured as the CLI configures it. */
export function batchStore(env: RgwEnv, bucket: string, o: { secretAccessKey?: string; accessKeyId?: string } = {}): S3Store {
  return S3Store.fromConfig({ endpoint: env.endpoint, region: env.region, bucket, accessKeyId: o.accessKeyId ?? env.accessKeyId, secretAccessKey: o.secretAccessKey ?? env.secretAccessKey });
}

/** The edge's adapter (aws4fetch) on `bucket`. */
export function edgeStore(env: RgwEnv, bucket: string, o: { secretAccessKey?: string; accessKeyId?: string } = {}): S3HttpStore {
  return new S3HttpStore({ endpoint: env.endpoint, region: env.region, bucket, accessKeyId: o.accessKeyId ?? env.accessKeyId, secretAccessKey: o.secretAccessKey ?? env.secretAccessKey });
}
