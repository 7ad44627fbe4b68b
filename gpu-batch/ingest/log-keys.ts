import type { ListedObject } from '../../shared/store/object-store.js';

const BATCH_TIME = /\/([0-9]{13})-[0-9a-zA-Z]+\.ndjson(\.gz)?$/;
const PARTITION = /\/dt=([0-9]{4}-[0-9]{2}-[0-9]{2})\/hr=([0-9]{2})\//;

/**
 * When a log object was started, from its key. Batch ids are `<13-digit epoch ms>-<hex>`; for a
 * key without one (another writer's naming) the end of its hour partition is used, which is the
 * latest moment such an object could belong to and so the conservative choice for settling.
 * @returns epoch ms, or null when the key has neither a batch time nor an hour partition
 */
export function keyTime(key: string): number | null {
  const m = BATCH_TIME.exec(key);
  if (m) return Number(m[1]);
  const p = PARTITION.exec(key);
  if (p) {
    const start = Date.parse(`${p[1]}T${p[2]}:00:00Z`);
    return Number.isNaN(start) ? null : start + 3_600_000 - 1;
  }
  return null;
}

/** What a run consumes from one prefix. */
export interface Selection {
  /** Objects to consume, in key order. */
  take: ListedObject[];
  /** Objects left for a later run because they are younger than the settle cutoff. */
  waiting: number;
  /** The watermark after consuming `take` (unchanged when nothing is taken). */
  watermark: string;
}

/**
 * Picks the settled prefix of the keys listed after the watermark.
 *
 * Why a prefix: the watermark is one key ("everything ≤ it is consumed"), so a run may only pass
 * keys it has consumed. Keys sort by write-start time (partition, then 13-digit ms), and a key can
 * still appear "in the past" while its writer is uploading. So a run stops at the first key newer
 * than `cutoff = now − settle`; anything before the cutoff whose upload took longer than the
 * settle lag would be missed, and the lag (default 2 min, far beyond a queue batch upload) is
 * chosen so that does not happen. Re-reading an object is harmless (records are deduplicated by id
 * against the lake), missing one is not — hence the conservative bias everywhere here.
 *
 * @param listed objects listed strictly after `after`, any order
 * @param after the current watermark ('' when none)
 * @param cutoff epoch ms; only objects started at or before it are taken
 */
export function selectSettled(listed: readonly ListedObject[], after: string, cutoff: number): Selection {
  const sorted = listed.filter((o) => o.key > after).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const take: ListedObject[] = [];
  for (const o of sorted) {
    const t = keyTime(o.key);
    if (t !== null && t > cutoff) break;
    take.push(o);
  }
  return { take, waiting: sorted.length - take.length, watermark: take.length ? take[take.length - 1]!.key : after };
}
