import type { ObjectStore } from '../../shared/store/object-store.js';
import type { AppEnv } from '../env.js';
import { R2Store } from './r2-store.js';
import { S3HttpStore } from './s3-http-store.js';

let cached: { key: string; store: ObjectStore } | null = null;

/**
 * The object store the configuration names: `STORE=r2` (the BUCKET binding) or `STORE=s3`
 * (signed S3 HTTP to S3_ENDPOINT). One instance per isolate and configuration.
 * @throws Error naming the missing setting when the configuration is incomplete
 */
export function storeFor(env: AppEnv): ObjectStore {
  const kind = env.STORE || 'r2';
  const key = kind === 's3' ? `s3|${env.S3_ENDPOINT}|${env.S3_BUCKET}|${env.S3_ACCESS_KEY_ID}` : 'r2';
  if (cached?.key === key && kind === 's3') return cached.store;
  let store: ObjectStore;
  if (kind === 'r2') {
    if (!env.BUCKET) throw new Error('STORE=r2 needs the BUCKET binding');
    store = new R2Store(env.BUCKET);
  } else if (kind === 's3') {
    for (const name of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!env[name]) throw new Error(`STORE=s3 needs ${name}`);
    }
    store = new S3HttpStore({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION || 'us-east-1',
      accessKeyId: env.S3_ACCESS_KEY_ID!,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    });
  } else {
    throw new Error(`STORE must be "r2" or "s3", got "${kind}"`);
  }
  cached = { key, store };
  return store;
}
