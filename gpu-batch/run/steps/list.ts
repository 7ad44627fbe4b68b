import { EVENTS_PREFIX, IMPRESSIONS_PREFIX } from '../../../shared/artifact/paths.js';
import { pointerProblem, resolveServing } from '../../../shared/artifact/resolve.js';
import type { Canary, Manifest } from '../../../shared/schemas/artifact.js';
import { selectSettled, type Selection } from '../../ingest/log-keys.js';
import { readWatermark, type WatermarkState } from '../../ingest/watermark.js';
import type { Step } from '../context.js';

/** Where the run starts from: the watermark, what serves, and the log objects to consume. */
export interface Listed {
  watermark: WatermarkState;
  /** The manifest serving now (CURRENT's version, or the newest in its history that verifies). */
  serving: Manifest | null;
  /** The version CURRENT names, which publish compares-and-swaps against (may be a broken one). */
  named: string | null;
  /** What is wrong with CURRENT, when something is (this run then publishes over it). */
  broken: string | null;
  /** The canary CURRENT names beside its version, if any (settled by the canary step). */
  canary: Canary | null;
  impressions: Selection;
  events: Selection;
}

/** 1. list: the settled log objects after the watermark, and the serving version. */
export const listStep: Step<'list'> = {
  name: 'list',
  async run({ store, config, started, progress, record, runId }) {
    progress.info(`batch run ${runId}`);
    const watermark = await readWatermark(store);
    // What serves is what the edge would serve: CURRENT's version, or the newest one in its
    // history that verifies. A corrupt newest version or a bad pointer is published over.
    const resolved = await resolveServing(store);
    const named = resolved.pointer.kind === 'ok' ? resolved.pointer.pointer.version : null;
    const broken = pointerProblem(resolved);
    if (broken) progress.warn(`${broken}; this run publishes over it`);
    record.serving_before = resolved.serving?.entry.version ?? null;
    const cutoff = started - config.settleMs;
    const wm = watermark.watermark;
    // Both kinds listed concurrently: the step is round-trip bound.
    const [imp, ev] = await Promise.all([
      store.list(IMPRESSIONS_PREFIX, { startAfter: wm?.impressions_after || undefined }),
      store.list(EVENTS_PREFIX, { startAfter: wm?.events_after || undefined }),
    ]);
    const impressions = selectSettled(imp, wm?.impressions_after ?? '', cutoff);
    const events = selectSettled(ev, wm?.events_after ?? '', cutoff);
    const waiting = impressions.waiting + events.waiting;
    record.objects = { impressions: impressions.take.length, events: events.take.length, waiting };
    progress.info(`list: ${impressions.take.length} impression and ${events.take.length} event objects to consume, ${waiting} still settling`);
    const canary = resolved.pointer.kind === 'ok' ? (resolved.pointer.pointer.canary ?? null) : null;
    return { watermark, serving: resolved.serving?.manifest ?? null, named, broken, canary, impressions, events };
  },
};
