import { describe, expect, it } from 'vitest';
import { POINTER_HISTORY_KEEP } from '../../shared/artifact/history.js';
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
});
