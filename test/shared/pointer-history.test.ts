import { describe, expect, it } from 'vitest';
import { firstVerified, POINTER_HISTORY_KEEP } from '../../shared/artifact/history.js';
import { artifactKey } from '../../shared/artifact/paths.js';
import { pointerProblem, resolveServing } from '../../shared/artifact/resolve.js';
import { ArtifactError, readPointer } from '../../shared/artifact/verify.js';
import { MemoryStore } from '../../shared/store/memory-store.js';
import { publishMany } from '../support/publish-many.js';

describe('the pointer history', () => {
  it('names the versions CURRENT replaced, newest first, at most POINTER_HISTORY_KEEP, each with its manifest checksum', async () => {
    const store = new MemoryStore();
    const vs = await publishMany(store, 8);
    const p = (await readPointer(store))!.pointer;
    expect(p.version).toBe(vs[7]);
    expect(p.history!.map((e) => e.version)).toEqual(vs.slice(7 - POINTER_HISTORY_KEEP, 7).reverse());
    for (const e of p.history!) expect(e.manifest_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resolves to the newest version that verifies and names the refused ones', async () => {
    const store = new MemoryStore();
    const vs = await publishMany(store, 4);
    await store.put(artifactKey(vs[3]!, 'manifest.json'), '{}');
    await store.put(artifactKey(vs[2]!, 'policy.json'), '{"p":2}');
    const r = await resolveServing(store);
    expect(r.serving?.entry.version).toBe(vs[1]);
    expect(r.refused.map((x) => x.version)).toEqual([vs[3], vs[2]]);
    expect(pointerProblem(r)).toContain(`names ${vs[3]}, which fails verification`);
  });

  it('stops at a store error instead of walking back past an outage', async () => {
    const chain = [
      { version: 'a', manifest_sha256: '0'.repeat(64) },
      { version: 'b', manifest_sha256: '0'.repeat(64) },
    ];
    await expect(firstVerified(chain, async () => Promise.reject(new Error('ECONNRESET')))).rejects.toThrow('ECONNRESET');
    const walk = await firstVerified(chain, async (e) => {
      if (e.version === 'a') throw new ArtifactError('a', 'corrupt');
      return e.version;
    });
    expect(walk).toEqual({ found: { entry: chain[1], value: 'b' }, refused: [{ version: 'a', reason: 'artifact a: corrupt' }] });
  });
});
