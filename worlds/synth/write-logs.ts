import { logKey } from '../../shared/artifact/paths.js';
import type { EventRecord } from '../../shared/schemas/event.js';
import type { ImpressionRecord } from '../../shared/schemas/impression.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { mapPool } from '../../gpu-batch/util/pool.js';
import { trainingRng } from '../../gpu-batch/train/init.js';

export interface WriteLogsOptions {
  /** Records per object, as a queue consumer batch would write them. */
  perObject: number;
  /** Fraction of objects written a second time under another batch id (at-least-once delivery). */
  duplicateObjects?: number;
  seed: number;
}

/**
 * Writes records the way the edge's queue consumer does: NDJSON objects under
 * `logs/<kind>/dt=…/hr=…/<13-digit ms>-<hex>.ndjson`, named by the first record's time.
 * @returns the keys written
 */
export async function writeLogObjects(store: ObjectStore, kind: 'impressions' | 'events', records: ReadonlyArray<ImpressionRecord | EventRecord>, o: WriteLogsOptions): Promise<string[]> {
  const rng = trainingRng(o.seed, 303);
  const time = (r: ImpressionRecord | EventRecord) => ('received_at' in r ? r.received_at : r.ts);
  const batches: Array<{ key: string; body: string }> = [];
  for (let s = 0; s < records.length; s += o.perObject) {
    const chunk = records.slice(s, s + o.perObject);
    const body = chunk.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const t = time(chunk[0]!);
    const hex = () => Math.floor(rng.next() * 0xffffffff).toString(16).padStart(8, '0');
    batches.push({ key: logKey(kind, t, `${String(t).padStart(13, '0')}-${hex()}`), body });
    if (rng.next() < (o.duplicateObjects ?? 0)) batches.push({ key: logKey(kind, t, `${String(t + 1).padStart(13, '0')}-${hex()}`), body });
  }
  await mapPool(batches, 8, (b) => store.put(b.key, b.body, { contentType: 'application/x-ndjson' }));
  return batches.map((b) => b.key);
}
