import { logKey, QUARANTINE_PREFIX } from '../../shared/artifact/paths.js';
import { toHex } from '../../shared/crypto/encoding.js';
import { decodeLogMessage } from '../../shared/schemas/queue.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/**
 * Writes one queue batch as NDJSON objects: one for impressions, one for events, keyed by write
 * time (`logs/<kind>/dt=…/hr=…/<13-digit ms>-<hash>.ndjson`), so keys sort by when they landed.
 * Any failed write throws, so the runtime retries the whole batch (at-least-once): a retried
 * batch can land twice under two names, and the batch tier removes the duplicates by
 * impression_id / event_id at ingest.
 * Messages that do not parse are written under `logs/quarantine/` with the reason, never dropped.
 */
export async function writeLogBatch(store: ObjectStore, messages: ReadonlyArray<{ id: string; body: unknown }>, now: number): Promise<{ impressions: number; events: number; quarantined: number }> {
  const lines = { impressions: [] as string[], events: [] as string[] };
  const bad: string[] = [];
  for (const m of messages) {
    const decoded = decodeLogMessage(m.body);
    if (!decoded.ok) {
      bad.push(JSON.stringify({ message_id: m.id, reason: decoded.reason, body: m.body }));
      continue;
    }
    (decoded.kind === 'impression' ? lines.impressions : lines.events).push(decoded.line);
  }
  // Random, not derived from message ids: several consumer invocations can run in the same
  // millisecond, and a name that collides overwrites another batch's log object.
  const batchId = `${String(now).padStart(13, '0')}-${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
  for (const kind of ['impressions', 'events'] as const) {
    if (lines[kind].length === 0) continue;
    await store.put(logKey(kind, now, batchId), lines[kind].join('\n') + '\n', { contentType: 'application/x-ndjson' });
  }
  if (bad.length) await store.put(`${QUARANTINE_PREFIX}queue/${batchId}.ndjson`, bad.join('\n') + '\n', { contentType: 'application/x-ndjson' });
  return { impressions: lines.impressions.length, events: lines.events.length, quarantined: bad.length };
}

