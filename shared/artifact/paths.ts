/** Object keys of the one bucket (see docs/architecture.md, "Object layout"). */

export const POINTER_KEY = 'artifacts/CURRENT';
export const WATERMARK_KEY = 'state/batch-watermark.json';
export const CATALOG_KEY = 'catalog/items.ndjson';
export const IMPRESSIONS_PREFIX = 'logs/impressions/';
export const EVENTS_PREFIX = 'logs/events/';
export const QUARANTINE_PREFIX = 'logs/quarantine/';

/** @returns `artifacts/<version>/<file>` */
export function artifactKey(version: string, file: string): string {
  return `artifacts/${version}/${file}`;
}

/** @returns the file name of a shard, relative to the version folder */
export function shardFile(shard: number): string {
  return `user-slates/${String(shard).padStart(4, '0')}.json`;
}

/**
 * Which shard holds a user's candidates. User keys are uniform hex (HMAC output), so the first
 * 32 bits spread users evenly.
 */
export function shardOf(userKey: string, shards: number): number {
  return parseInt(userKey.slice(0, 8), 16) % shards;
}

/**
 * `logs/<kind>/dt=YYYY-MM-DD/hr=HH/<batch>.ndjson`: hive-style partitions any engine can prune.
 * Keys sort by time, so a watermark ("last key consumed") is a plain string comparison.
 */
export function logKey(kind: 'impressions' | 'events', ts: number, batchId: string): string {
  const d = new Date(ts).toISOString();
  return `logs/${kind}/dt=${d.slice(0, 10)}/hr=${d.slice(11, 13)}/${batchId}.ndjson`;
}

/**
 * A new artifact version name: sortable UTC time plus a random suffix.
 * @param now epoch ms
 * @param suffix 6 lowercase hex digits (pass random bytes; shared/ takes no ambient randomness)
 */
export function versionName(now: number, suffix: string): string {
  const iso = new Date(now).toISOString();
  return `v${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z-${suffix}`;
}
