import { describe, expect, it } from 'vitest';
import { POINTER_HISTORY_KEEP } from '../../shared/artifact/history.js';
import { versionName } from '../../shared/artifact/paths.js';
import { publishVersion } from '../../shared/artifact/publish.js';
import { readPointer } from '../../shared/artifact/verify.js';
import { utf8 } from '../../shared/crypto/encoding.js';
import { resolveServing } from '../../shared/artifact/resolve.js';
import { collectGarbage } from '../../gpu-batch/publish/gc.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { publishMany } from '../support/publish-many.js';

describe('garbage collection', () => {
  it('keeps every version the pointer vouches for (its history), whatever `keep` says', async () => {
    const store = new MemoryStore();
    const vs = await publishMany(store, 8);
    const deleted = await collectGarbage(store, 1);
    expect(deleted.sort()).toEqual(vs.slice(0, 8 - 1 - POINTER_HISTORY_KEEP).sort());
    expect((await resolveServing(store)).serving?.entry.version).toBe(vs[7]);
  });

  it('keeps the canary CURRENT names, however old its name', async () => {
    const store = new MemoryStore();
    const vs = await publishMany(store, 8);
    const canary = versionName(Date.UTC(2025, 0, 1), 'ca0001');
    await publishVersion(store, { version: canary, created_at: 0, parent_version: null, shards: 1, item_count: 0, dims: 0, training: {}, metrics: {}, counts: {}, gate: null }, { 'policy.json': utf8('{"p":2}') }, { reason: 'test', now: 99, canary: { share: 0.1 } });
    expect((await readPointer(store))!.pointer).toMatchObject({ version: vs[7], canary: { version: canary, share: 0.1 } });
    const deleted = await collectGarbage(store, 1);
    expect(deleted).not.toContain(canary);
    expect(deleted.sort()).toEqual(vs.slice(0, 8 - 1 - POINTER_HISTORY_KEEP).sort());
  });
});
