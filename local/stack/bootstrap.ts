import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { readPointer } from '../../shared/artifact/verify.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchScheduler } from '../../gpu-batch/serve/scheduler.js';

/** How often the watcher looks for a catalog while nothing is published. */
const POLL_MS = 1000;

/**
 * Until a first version is served, runs the batch tier as soon as a catalog lands, so "put a
 * catalog" is all it takes to get slates (the schedule would otherwise make a newcomer wait
 * minutes). A catalog that failed to build a version is retried only once it changes.
 * @param onPublished called once with the first version
 * @returns stop()
 */
export function bootstrapWhenCatalogArrives(store: ObjectStore, scheduler: BatchScheduler, onPublished: (version: string) => void): { stop(): void } {
  let stopped = false;
  let triedEtag: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  const tick = async () => {
    timer = null;
    if (stopped) return;
    try {
      const pointer = await readPointer(store);
      if (pointer) {
        onPublished(pointer.pointer.version);
        return;
      }
      const catalog = (await store.list(CATALOG_KEY, { limit: 1 })).find((o) => o.key === CATALOG_KEY);
      if (catalog && catalog.etag !== triedEtag && scheduler.trigger()) triedEtag = catalog.etag;
    } catch {
      // The store is ours and local; a failed poll is retried on the next tick.
    }
    if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
  };
  void tick();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
