import { QUARANTINE_PREFIX } from '../../shared/artifact/paths.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/** One object moved aside, as reported in the run record. */
export interface Quarantined {
  key: string;
  quarantined_as: string;
  reason: string;
}

/**
 * `logs/impressions/dt=…/x.ndjson` → `logs/quarantine/impressions/dt=…/x.ndjson`: the original
 * layout is kept under the prefix so a repaired object can be moved straight back.
 */
export function quarantineKey(key: string): string {
  return QUARANTINE_PREFIX + key.replace(/^logs\//, '');
}

/**
 * Moves a bad log object under `logs/quarantine/` next to a `.reason.json`, then deletes the
 * original. Copy first, delete last: a crash in between leaves a duplicate, never a loss (and the
 * next run quarantines the original again, idempotently).
 */
export async function quarantineObject(store: ObjectStore, key: string, body: Uint8Array, reason: string, now: number): Promise<Quarantined> {
  const target = quarantineKey(key);
  await store.put(target, body, { contentType: 'application/octet-stream' });
  await store.put(`${target}.reason.json`, JSON.stringify({ key, reason, quarantined_at: new Date(now).toISOString() }), { contentType: 'application/json' });
  await store.delete(key);
  return { key, quarantined_as: target, reason };
}
