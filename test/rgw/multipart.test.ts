import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactKey, versionName } from '../../shared/artifact/paths.js';
import { publishVersion } from '../../shared/artifact/publish.js';
import { ArtifactError, readManifest, readPointer, readVerified } from '../../shared/artifact/verify.js';
import { utf8 } from '../../shared/crypto/encoding.js';
import { PreconditionFailedError } from '../../shared/store/object-store.js';
import type { S3Store } from '../../gpu-batch/store/s3-store.js';
import type { S3HttpStore } from '../../edge/store/s3-http-store.js';
import { batchStore, edgeStore, freshBucket, rgwEnv, type RgwEnv } from './rgw-env.js';

const MiB = 1024 * 1024;
const T = Date.parse('2026-04-01T00:00:00Z');

/** Deterministic bytes that no part boundary could mistake for another part (xorshift32). */
function noise(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new Uint32Array(out.buffer, 0, Math.floor(bytes / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < view.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view[i] = x >>> 0;
  }
  return out;
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/**
 * Large artifact files go up as multipart uploads from the batch tier (S3Store above its 16 MiB
 * threshold) and come back byte for byte, verified against the manifest, through both adapters.
 */
describe('multipart uploads against RGW', () => {
  let env: RgwEnv;
  let bucket: string;
  let sdk: S3Store;
  let http: S3HttpStore;

  beforeAll(async () => {
    env = rgwEnv();
    bucket = await freshBucket(env, 'mpu');
    sdk = batchStore(env, bucket);
    http = edgeStore(env, bucket);
  });

  afterAll(() => sdk?.close());

  it('a 40 MiB body goes up in 8 MiB parts and reads back identical', async () => {
    const body = noise(40 * MiB + 12_345, 7);
    const { etag } = await sdk.put('mpu/raw.bin', body, { contentType: 'application/octet-stream' });
    // A multipart object's ETag is md5(concatenated part md5s)-<parts>, not the body's md5.
    expect(etag).toMatch(/^[0-9a-f]{32}-6$/);
    expect(etag).not.toBe(md5(body));
    const back = await http.get('mpu/raw.bin');
    expect(back!.etag).toBe(etag);
    expect(back!.body.byteLength).toBe(body.byteLength);
    expect(md5(back!.body)).toBe(md5(body));
    expect((await sdk.list('mpu/')).find((o) => o.key === 'mpu/raw.bin')?.size).toBe(body.byteLength);
  });

  it('below the threshold and for conditional writes a large body stays one PUT', async () => {
    const small = noise(16 * MiB - 1, 8);
    expect((await sdk.put('mpu/below.bin', small)).etag).toBe(md5(small));
    const big = noise(20 * MiB, 9);
    const first = await sdk.put('mpu/conditional.bin', big, { ifNoneMatch: '*' });
    expect(first.etag).toBe(md5(big));
    await expect(sdk.put('mpu/conditional.bin', big, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    const next = noise(20 * MiB, 10);
    expect((await sdk.put('mpu/conditional.bin', next, { ifMatch: first.etag })).etag).toBe(md5(next));
  });

  it('publishVersion with a 32 MiB matrix: multipart file, verified by readVerified and the edge stream', async () => {
    const matrix = noise(32 * MiB, 11);
    const version = versionName(T, 'abcdef');
    const files = { 'items.f32': matrix, 'policy.json': utf8('{"placeholder":true}') };
    const res = await publishVersion(sdk, { version, created_at: T, parent_version: null, shards: 1, item_count: 1, dims: 0, training: { backend: 'fixture' }, metrics: {}, counts: {}, gate: null }, files, { reason: 'multipart', now: T });
    expect(res.bytes).toBeGreaterThan(32 * MiB);
    const p = await readPointer(http);
    expect(p!.pointer.version).toBe(version);
    const m = await readManifest(http, version, p!.pointer.manifest_sha256);
    expect(m.files['items.f32']!.bytes).toBe(matrix.byteLength);
    expect((await sdk.list(`artifacts/${version}/`)).find((o) => o.key.endsWith('items.f32'))!.etag).toMatch(/-4$/);
    for (const store of [sdk, http]) expect(md5(await readVerified(store, m, 'items.f32'))).toBe(md5(matrix));

    // The edge reads the matrix as a stream; it arrives whole.
    const streamed = await http.getStream(artifactKey(version, 'items.f32'));
    expect(streamed!.size).toBe(matrix.byteLength);
    const hash = createHash('md5');
    let n = 0;
    for await (const chunk of streamed!.stream as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      n += chunk.byteLength;
    }
    expect(n).toBe(matrix.byteLength);
    expect(hash.digest('hex')).toBe(md5(matrix));

    // A damaged copy (rewritten in parts with one byte flipped) is caught by the checksum.
    const damaged = matrix.slice();
    damaged[17 * MiB] = damaged[17 * MiB]! ^ 0x01;
    await sdk.put(artifactKey(version, 'items.f32'), damaged);
    await expect(readVerified(http, m, 'items.f32')).rejects.toBeInstanceOf(ArtifactError);
  });
});
