import { POINTER_KEY } from '../../shared/artifact/paths.js';
import { pointerChain } from '../../shared/artifact/history.js';
import { readPointer } from '../../shared/artifact/verify.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/**
 * Deletes all but the newest `keep` versions under `artifacts/`, never one the pointer vouches
 * for (the version it names, the one it replaced, and its history: where readers fall back to
 * when the newest fails verification) nor its canary. Version names sort by time.
 * @returns the versions deleted
 */
export async function collectGarbage(store: ObjectStore, keep: number): Promise<string[]> {
  const keys = (await store.list('artifacts/')).map((o) => o.key).filter((k) => k !== POINTER_KEY);
  const byVersion = new Map<string, string[]>();
  for (const k of keys) {
    const v = k.split('/')[1]!;
    if (!byVersion.has(v)) byVersion.set(v, []);
    byVersion.get(v)!.push(k);
  }
  const pointer = (await readPointer(store))?.pointer;
  const protectedVersions = new Set([...(pointer ? pointerChain(pointer).map((e) => e.version) : []), pointer?.previous, pointer?.canary?.version].filter((v): v is string => !!v));
  const versions = [...byVersion.keys()].sort().reverse();
  const doomed = versions.slice(keep).filter((v) => !protectedVersions.has(v));
  for (const v of doomed) {
    // Manifest first: a version without its manifest is unservable at once, whatever else remains.
    const files = byVersion.get(v)!.sort((a, b) => (a.endsWith('/manifest.json') ? -1 : b.endsWith('/manifest.json') ? 1 : 0));
    for (const k of files) await store.delete(k);
  }
  return doomed;
}
