import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactKey, POINTER_KEY, versionName } from '../../shared/artifact/paths.js';
import { PublishConflictError, publishVersion, type ManifestDraft, type PublishResult } from '../../shared/artifact/publish.js';
import { readManifest, readPointer, readVerified } from '../../shared/artifact/verify.js';
import { utf8 } from '../../shared/crypto/encoding.js';
import { PreconditionFailedError, type ObjectStore } from '../../shared/store/object-store.js';
import type { S3Store } from '../../gpu-batch/store/s3-store.js';
import { batchStore, edgeStore, freshBucket, rgwEnv, sdkClient, type RgwEnv } from './rgw-env.js';

const T = Date.parse('2026-03-01T00:00:00Z');

/**
 * Holds every `put` of `artifacts/CURRENT` until `parties` of them are waiting, then lets them all
 * go at once: the publishers have all read the same pointer (and ETag) by then, so their
 * conditional writes really race at the server.
 */
function barrierOnPointer(store: ObjectStore, gate: { parties: number; waiting: Array<() => void> }): ObjectStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'put') {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return async (key: string, body: Uint8Array | string, opts?: Parameters<ObjectStore['put']>[2]) => {
        if (key === POINTER_KEY) {
          await new Promise<void>((go) => {
            gate.waiting.push(go);
            if (gate.waiting.length === gate.parties) for (const g of gate.waiting.splice(0)) g();
          });
        }
        return target.put(key, body, opts);
      };
    },
  });
}

function draft(version: string, parent: string | null): ManifestDraft {
  return { version, created_at: T, parent_version: parent, shards: 1, item_count: 2, dims: 0, training: { backend: 'fixture' }, metrics: {}, counts: {}, gate: null };
}

function files(tag: string): Record<string, Uint8Array> {
  return {
    'policy.json': utf8(JSON.stringify({ tag, note: 'not a real policy: publish does not parse it' })),
    'blob.bin': new Uint8Array(64 * 1024).map((_, i) => (i * 31 + tag.length) & 0xff),
  };
}

/**
 * Compare-and-swap on a real server: RGW checks If-Match / If-None-Match atomically, so of two
 * publishers that read the same CURRENT exactly one swaps it, whichever adapter each uses.
 */
describe('conditional writes against RGW', () => {
  let env: RgwEnv;
  let bucket: string;
  let sdk: S3Store;
  let http: ObjectStore;

  beforeAll(async () => {
    env = rgwEnv();
    bucket = await freshBucket(env, 'cas');
    sdk = batchStore(env, bucket);
    http = edgeStore(env, bucket);
  });

  afterAll(() => sdk?.close());

  for (const [name, store] of [['S3Store', () => sdk], ['S3HttpStore', () => http]] as const) {
    it(`${name}: If-Match with a stale ETag and If-None-Match: * on an existing key fail; the current ETag succeeds`, async () => {
      const s = store();
      const key = `cas/${name}/object.json`;
      const first = await s.put(key, '{"n":1}', { ifNoneMatch: '*' });
      await expect(s.put(key, '{"n":1.5}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
      const second = await s.put(key, '{"n":2}', { ifMatch: first.etag });
      expect(second.etag).not.toBe(first.etag);
      expect((await s.get(key))!.etag).toBe(second.etag);
      // Stale: the ETag of the first version.
      await expect(s.put(key, '{"n":3}', { ifMatch: first.etag })).rejects.toBeInstanceOf(PreconditionFailedError);
      // If-Match on a key that does not exist.
      await expect(s.put(`${key}.missing`, '{}', { ifMatch: first.etag })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(new TextDecoder().decode((await s.get(key))!.body)).toBe('{"n":2}');
    });
  }

  it("RGW's own answers to eight racing If-Match PUTs (no client retries): one 200, the rest 412 or 500", async () => {
    const raw = sdkClient(env);
    try {
      const key = 'cas/raw/object.json';
      const base = await sdk.put(key, 'base');
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `raw-${i}`, IfMatch: base.etag }))));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      // Ceph 16 answers a loser whose write was cancelled under it (the object changed between its
      // check and its write) with 500 UnknownError instead of 412; the adapters retry 5xx, and the
      // retry's If-Match then fails with 412, so callers see PreconditionFailedError either way.
      const statuses = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode] : []));
      for (const s of statuses) expect([412, 500]).toContain(s);
      expect(new TextDecoder().decode((await sdk.get(key))!.body)).toBe(`raw-${won[0]}`);
    } finally {
      raw.destroy();
    }
  });

  it('eight concurrent conditional PUTs with the same If-Match through the adapters: exactly one wins, the rest throw PreconditionFailedError', async () => {
    const key = 'cas/many/object.json';
    const base = await sdk.put(key, 'base');
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? sdk : http).put(key, `writer-${i}`, { ifMatch: base.etag })));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
    const now = await sdk.get(key);
    expect(new TextDecoder().decode(now!.body)).toBe(`writer-${won[0]}`);
    expect(now!.etag).toBe((results[won[0]!] as PromiseFulfilledResult<{ etag: string }>).value.etag);
  });

  it('racing publishVersion: one publisher swaps CURRENT, the other gets PublishConflictError, for the first publish and later ones', async () => {
    let serving: string | null = null;
    for (let round = 0; round < 4; round++) {
      const gate = { parties: 2, waiting: [] as Array<() => void> };
      // Alternate which adapter each side uses; the first round races If-None-Match: *.
      const sides = round % 2 ? [http, sdk] : [sdk, http];
      const versions = sides.map((_, i) => versionName(T + round * 1000, `${round}${i}aaaa`.slice(0, 6)));
      const outcomes = await Promise.allSettled(
        sides.map((s, i) => publishVersion(barrierOnPointer(s, gate), draft(versions[i]!, serving), files(`${round}-${i}`), { reason: `race ${round}`, now: T + round * 1000 })),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(won, `round ${round}: ${outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok')).join(' | ')}`).toHaveLength(1);
      const loser = outcomes[1 - won[0]!] as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(PublishConflictError);
      expect((loser.reason as PublishConflictError).version).toBe(versions[1 - won[0]!]);

      const winner = versions[won[0]!]!;
      const result = (outcomes[won[0]!] as PromiseFulfilledResult<PublishResult>).value;
      expect(result.previous).toBe(serving);
      const p = await readPointer(sdk);
      expect(p!.pointer.version).toBe(winner);
      expect(p!.pointer.previous).toBe(serving);
      expect(p!.pointer.manifest_sha256).toBe(result.manifestSha256);
      const m = await readManifest(http, winner, p!.pointer.manifest_sha256);
      for (const f of Object.keys(m.files)) await readVerified(http, m, f);
      // The loser's files were written and verified but nothing points at them.
      expect(await sdk.get(artifactKey(versions[1 - won[0]!]!, 'manifest.json'))).not.toBeNull();
      serving = winner;
    }
  });

  it('a publisher that read CURRENT before another swap loses even without a race at the server', async () => {
    const before = (await readPointer(sdk))!;
    const v1 = versionName(T + 10_000, 'bbbbb1');
    const v2 = versionName(T + 10_000, 'bbbbb2');
    await publishVersion(sdk, draft(v1, before.pointer.version), files('late-1'), { reason: 'first', now: T + 10_000 });
    // The second publisher evaluated against the old version: it must not swap.
    await expect(publishVersion(http, draft(v2, before.pointer.version), files('late-2'), { reason: 'second', now: T + 10_000, expectedPrevious: before.pointer.version })).rejects.toBeInstanceOf(PublishConflictError);
    // And a raw put with the stale pointer ETag fails at the server.
    await expect(http.put(POINTER_KEY, '{}', { ifMatch: before.etag })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await readPointer(http))!.pointer.version).toBe(v1);
  });
});
