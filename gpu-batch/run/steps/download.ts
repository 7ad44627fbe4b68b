import { join } from 'node:path';
import { checkFetched, fetchLogs, type Downloaded } from '../../ingest/download.js';
import { resultOf, type Step } from '../context.js';

/** The checked local copies of both kinds of log objects. */
export interface DownloadedLogs {
  impressions: Downloaded;
  events: Downloaded;
}

/** 2. download: the listed objects into the run's inbox, checked; bad ones quarantined. */
export const downloadStep: Step<'download'> = {
  name: 'download',
  async run(ctx) {
    const listed = resultOf(ctx, 'list');
    const opts = { now: ctx.started, progress: ctx.progress };
    // Both kinds download concurrently (round-trip bound); the checks then share the run's DuckDB session in turn.
    const [imp, ev] = await Promise.all([
      fetchLogs(ctx.store, listed.impressions.take, 'impressions', join(ctx.dirs.inbox, 'impressions'), opts),
      fetchLogs(ctx.store, listed.events.take, 'events', join(ctx.dirs.inbox, 'events'), opts),
    ]);
    ctx.progress.info(`download: ${imp.written.length + ev.written.length} objects, ${((imp.result.bytes + ev.result.bytes) / 1048576).toFixed(1)} MiB fetched`);
    const impressions = await checkFetched(ctx.duck, ctx.store, imp, opts);
    const events = await checkFetched(ctx.duck, ctx.store, ev, opts);
    ctx.progress.info(`download: ${impressions.records} impressions and ${events.records} events checked`);
    ctx.record.quarantined = [...impressions.quarantined, ...events.quarantined];
    return { impressions, events };
  },
};
