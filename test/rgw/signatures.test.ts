import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3HttpError } from '../../edge/store/s3-http-store.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { batchStore, edgeStore, freshBucket, rgwEnv, type RgwEnv } from './rgw-env.js';

/** The HTTP status an adapter's failure carries (S3HttpError or the SDK's $metadata). */
function statusOf(e: unknown): number | undefined {
  if (e instanceof S3HttpError) return e.status;
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the request to be rejected');
}

/**
 * SigV4 as a real server checks it (s3rver does not): both adapters' requests are accepted with
 * the right secret and refused with 403 with a wrong secret or an unknown key, and nothing is
 * written by a refused PUT.
 */
describe('signatures against RGW', () => {
  let env: RgwEnv;
  let bucket: string;
  const stores: Array<{ close?(): void }> = [];
  const adapters: Array<[string, (o?: { secretAccessKey?: string; accessKeyId?: string }) => ObjectStore]> = [
    ['S3Store (AWS SDK)', (o) => { const s = batchStore(env, bucket, o); stores.push(s); return s; }],
    ['S3HttpStore (aws4fetch)', (o) => edgeStore(env, bucket, o)],
  ];

  beforeAll(async () => {
    env = rgwEnv();
    bucket = await freshBucket(env, 'sig');
  });

  afterAll(() => {
    for (const s of stores) s.close?.();
  });

  for (const [name, make] of adapters) {
    it(`${name}: the right secret reads and writes`, async () => {
      const store = make();
      const key = `sig/${name.split(' ')[0]}/ok.txt`;
      await store.put(key, 'signed');
      expect(new TextDecoder().decode((await store.get(key))!.body)).toBe('signed');
      expect((await store.list('sig/')).map((o) => o.key)).toContain(key);
    });

    it(`${name}: a wrong secret is refused with 403 on GET, PUT, LIST and DELETE, and writes nothing`, async () => {
      const good = make();
      const key = `sig/${name.split(' ')[0]}/guarded.txt`;
      await good.put(key, 'original');
      const bad = make({ secretAccessKey: `${env.secretAccessKey}-wrong` });
      const errors = [await rejection(bad.get(key)), await rejection(bad.put(key, 'forged')), await rejection(bad.list('sig/')), await rejection(bad.delete(key))];
      expect(errors.map(statusOf)).toEqual([403, 403, 403, 403]);
      expect(new TextDecoder().decode((await good.get(key))!.body)).toBe('original');
    });

    it(`${name}: an unknown access key is refused with 403`, async () => {
      const bad = make({ accessKeyId: 'NOSUCHKEY00000000000' });
      expect(statusOf(await rejection(bad.get('sig/anything')))).toBe(403);
      expect(statusOf(await rejection(bad.put('sig/anything', 'x')))).toBe(403);
    });
  }
});
