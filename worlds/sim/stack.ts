import { EVENTS_PREFIX, IMPRESSIONS_PREFIX } from '../../shared/artifact/paths.js';
import { readPointerState } from '../../shared/artifact/verify.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { startEdge, type LocalEdge } from '../../local/start-edge.js';

export { startS3Server, type S3Server } from '../../local/s3-server.js';
export { startEdge, type LocalEdge };

/** Secrets of the simulated deployments (loopback only). */
export const SIM_SECRETS = { tokenSecret: 'demo-token-secret-0123456789', userSalt: 'demo-user-salt-0123456789' } as const;

/**
 * Polls /healthz until the edge serves what `artifacts/CURRENT` names now: its version, and its
 * canary beside it (or none).
 * @returns the serving version and the canary's (null: none)
 */
export async function waitForPointer(url: URL, store: ObjectStore): Promise<{ version: string; canary: string | null }> {
  const state = await readPointerState(store);
  if (state.kind !== 'ok') throw new Error(`artifacts/CURRENT: ${state.kind === 'none' ? 'nothing published' : state.reason}`);
  const want = { version: state.pointer.version, canary: state.pointer.canary?.version ?? null };
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await fetch(new URL('/healthz', url));
    const h = (await r.json()) as { version: string | null; canary?: { version: string } | null };
    last = JSON.stringify(h);
    if (h.version === want.version && (h.canary?.version ?? null) === want.canary) return want;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`edge did not pick up ${want.version}${want.canary ? ` with canary ${want.canary}` : ''} within 30 s: ${last}`);
}

/** Log objects read so far, by key, and the ids they held. */
export interface LogTally {
  keys: Set<string>;
  impressions: Set<string>;
  events: Set<string>;
}

/** An empty tally. */
export function logTally(): LogTally {
  return { keys: new Set(), impressions: new Set(), events: new Set() };
}

/**
 * Waits until the queue consumer has written every impression and event served so far (compared
 * by id, so duplicates from redelivery do not count twice). An object is remembered only when it
 * parses whole, so one read while still being written is read again.
 */
export async function waitForLogs(store: ObjectStore, logged: LogTally, served: { impressions: readonly string[]; events: readonly string[] }): Promise<void> {
  const deadline = Date.now() + 60_000;
  const unreadable = new Map<string, string>();
  const missing = () => ({ impressions: served.impressions.filter((id) => !logged.impressions.has(id)), events: served.events.filter((id) => !logged.events.has(id)) });
  while (Date.now() < deadline) {
    for (const [prefix, ids, field] of [[IMPRESSIONS_PREFIX, logged.impressions, 'impression_id'], [EVENTS_PREFIX, logged.events, 'event_id']] as const) {
      for (const o of await store.list(prefix)) {
        if (logged.keys.has(o.key)) continue;
        const body = await store.get(o.key);
        if (!body) continue;
        const text = new TextDecoder().decode(body.body);
        if (!text.endsWith('\n')) {
          unreadable.set(o.key, `no final newline (${text.length} bytes)`);
          continue;
        }
        try {
          for (const line of text.split('\n')) if (line) ids.add((JSON.parse(line) as Record<string, string>)[field]!);
        } catch (e) {
          unreadable.set(o.key, (e as Error).message);
          continue;
        }
        unreadable.delete(o.key);
        logged.keys.add(o.key);
      }
    }
    const m = missing();
    if (m.impressions.length === 0 && m.events.length === 0) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  const m = missing();
  throw new Error(`logs did not arrive within 60 s: missing ${m.impressions.length} impressions (e.g. ${m.impressions.slice(0, 3).join(', ')}) and ${m.events.length} events (e.g. ${m.events.slice(0, 3).join(', ')}); unreadable objects: ${JSON.stringify([...unreadable].slice(0, 5))}`);
}
