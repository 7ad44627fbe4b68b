import { versionName } from '../../shared/artifact/paths.js';
import { publishVersion } from '../../shared/artifact/publish.js';
import { utf8 } from '../../shared/crypto/encoding.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/**
 * Publishes `n` minimal versions one second apart (a policy file only: enough for the pointer, its
 * history and garbage collection, not for the edge).
 * @returns the version names, oldest first
 */
export async function publishMany(store: ObjectStore, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const version = versionName(Date.UTC(2026, 0, 1, 0, 0, i), `00000${i}`);
    await publishVersion(store, { version, created_at: 0, parent_version: null, shards: 1, item_count: 0, dims: 0, training: {}, metrics: {}, counts: {}, gate: null }, { 'policy.json': utf8('{"p":1}') }, { reason: 'test', now: i });
    out.push(version);
  }
  return out;
}
