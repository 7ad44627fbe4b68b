import { describe, expect, it } from 'vitest';
import { publishVersion, PublishConflictError, type ManifestDraft } from '../../shared/artifact/publish.js';
import { readManifest, readPointer, readVerified } from '../../shared/artifact/verify.js';
import { versionName } from '../../shared/artifact/paths.js';
import { utf8 } from '../../shared/crypto/encoding.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/** A store that fails its n-th call (counting every get/put/list/delete), like a flaky S3. */
function failingAt(inner: ObjectStore, n: number): ObjectStore & { calls: number } {
  const s = {
    calls: 0,
    tick() {
      if (++s.calls === n) throw new Error(`injected S3 failure at call ${n}`);
    },
    get: async (k: string) => (s.tick(), inner.get(k)),
    put: async (k: string, b: Uint8Array | string, o?: Parameters<ObjectStore['put']>[2]) => (s.tick(), inner.put(k, b, o)),
    list: async (p: string, o?: Parameters<ObjectStore['list']>[1]) => (s.tick(), inner.list(p, o)),
    delete: async (k: string) => (s.tick(), inner.delete(k)),
  };
  return s;
}

const files = { 'policy.json': utf8('{"p":1}'), 'user-slates/0000.json': utf8('{"u":1}'), 'items.f32': new Uint8Array(4096).fill(7) };
const draft = (version: string): ManifestDraft => ({ version, created_at: 0, parent_version: null, shards: 1, item_count: 0, dims: 0, training: {}, metrics: {}, counts: {}, gate: null });

async function assertPointerServable(store: ObjectStore): Promise<string | null> {
  const p = await readPointer(store);
  if (!p) return null;
  const m = await readManifest(store, p.pointer.version, p.pointer.manifest_sha256);
  for (const f of Object.keys(m.files)) await readVerified(store, m, f);
  return p.pointer.version;
}

describe('publish under injected S3 failures', () => {
  it('a failure at every call leaves CURRENT on a complete, verified version; a re-run completes', async () => {
    // Count the calls of a clean publish, then fail each one in turn.
    const probe = failingAt(new MemoryStore(), -1);
    const v0 = versionName(1_000, 'aaaaaa');
    const v1 = versionName(2_000, 'bbbbbb');
    await publishVersion(probe, draft(v0), files, { reason: 'test', now: 1 });
    const before = probe.calls;
    await publishVersion(probe, draft(v1), files, { reason: 'test', now: 2 });
    const total = probe.calls - before;
    expect(total).toBeGreaterThan(8);
    for (let n = 1; n <= total; n++) {
      const inner = new MemoryStore();
      await publishVersion(inner, draft(v0), files, { reason: 'test', now: 1 });
      const flaky = failingAt(inner, n);
      const outcome = await publishVersion(flaky, draft(v1), files, { reason: 'test', now: 2 }).then(
        () => 'published',
        (e: Error) => e.message,
      );
      const serving = await assertPointerServable(inner);
      // The only call after which the new version may serve is the pointer swap itself.
      if (outcome === 'published') expect(serving).toBe(v1);
      else expect([v0, v1]).toContain(serving);
      if (serving === v0) {
        await publishVersion(inner, draft(v1), files, { reason: 'retry', now: 3 });
        expect(await assertPointerServable(inner)).toBe(v1);
      }
    }
  });

  it('two publishers racing on the same CURRENT: exactly one wins, the other reports the conflict', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const store = new MemoryStore();
      await publishVersion(store, draft(versionName(1_000, 'aaaaaa')), files, { reason: 'base', now: 1 });
      const a = versionName(2_000, 'aaaa01');
      const b = versionName(2_000, 'bbbb02');
      const results = await Promise.allSettled([
        publishVersion(store, draft(a), files, { reason: 'a', now: 2 }),
        publishVersion(store, draft(b), files, { reason: 'b', now: 2 }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(PublishConflictError);
      const serving = await assertPointerServable(store);
      expect(serving).toBe((won[0] as PromiseFulfilledResult<{ version: string }>).value.version);
    }
  });
});

describe('an ambiguous answer to the pointer swap', () => {
  it('a swap that landed but was answered with an error counts as won; one that did not land is a conflict', async () => {
    const v0 = versionName(1_000, 'aaaaaa');
    const v1 = versionName(2_000, 'bbbbbb');
    for (const landed of [true, false]) {
      const inner = new MemoryStore();
      await publishVersion(inner, draft(v0), files, { reason: 'base', now: 1 });
      // Like RGW under a race: the write lands (or not), then the client sees 500 → retry → 412.
      const lying: ObjectStore = {
        get: (k) => inner.get(k),
        list: (p, o) => inner.list(p, o),
        delete: (k) => inner.delete(k),
        put: async (k, b, o) => {
          if (k !== 'artifacts/CURRENT') return inner.put(k, b, o);
          if (landed) await inner.put(k, b, o);
          throw new (await import('../../shared/store/object-store.js')).PreconditionFailedError(k);
        },
      };
      const outcome = await publishVersion(lying, draft(v1), files, { reason: 'x', now: 2 }).then(
        (r) => r.version,
        (e: Error) => e.name,
      );
      expect(outcome).toBe(landed ? v1 : 'PublishConflictError');
      expect((await readPointer(inner))!.pointer.version).toBe(landed ? v1 : v0);
    }
  });
});
