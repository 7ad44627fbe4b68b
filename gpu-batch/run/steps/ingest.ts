import { readManifest } from '../../../shared/artifact/verify.js';
import { loadCatalog, type LoadedCatalog } from '../../catalog/catalog-store.js';
import type { LakeFiles } from '../../dataset/build-dataset.js';
import { readLakeCounts } from '../../dataset/read-dataset.js';
import { appendToLake } from '../../lake/lake-append.js';
import { syncLake, type LakePart } from '../../lake/lake-sync.js';
import { resultOf, type Step } from '../context.js';
import { decidePublish, type Fingerprint, type PublishDecision } from '../decide.js';
import { lakeFingerprint } from '../fingerprint.js';

/** The lake after this run's records went in, the catalog, and whether that calls for a new version. */
export interface Ingested {
  parts: Record<'impressions' | 'events', LakePart[]>;
  /** Local paths of the lake's parts. */
  lake: LakeFiles;
  catalog: LoadedCatalog;
  fingerprint: Fingerprint;
  decision: PublishDecision;
}

/**
 * 3. ingest: mirror the lake, append what is new (deduplicated by id), count everything, then
 * decide by fingerprints whether the inputs changed since the batch last published (run/decide.ts).
 */
export const ingestStep: Step<'ingest'> = {
  name: 'ingest',
  async run(ctx) {
    const { store, progress, record, config } = ctx;
    const listed = resultOf(ctx, 'list');
    const downloaded = resultOf(ctx, 'download');
    const parts: Ingested['parts'] = { impressions: [], events: [] };
    for (const kind of ['impressions', 'events'] as const) {
      const mirrored = await syncLake(store, kind, ctx.dirs.lakeRoot, progress);
      const a = await appendToLake(ctx.duck, store, kind, downloaded[kind].files, mirrored, { staging: ctx.dirs.staging, lakeRoot: ctx.dirs.lakeRoot }, ctx.runId);
      record.records[kind] = { read: a.read, added: a.added };
      parts[kind] = [...mirrored, ...a.parts];
    }
    const lake = { impressions: parts.impressions.map((p) => p.path), events: parts.events.map((p) => p.path) };
    record.counts = await readLakeCounts(ctx.duck, lake);
    progress.info(`ingest: ${record.records.impressions.added} new impressions, ${record.records.events.added} new events (lake: ${record.counts.impressions} / ${record.counts.events})`);

    const catalog = await loadCatalog(store, (m) => progress.warn(m));
    const fingerprint = { lake: await lakeFingerprint([...parts.impressions, ...parts.events]), catalog: catalog.sha256 };
    const { serving, watermark, broken } = listed;
    const last = watermark.watermark?.version;
    const lastPublished = last && last !== serving?.version ? await readManifest(store, last, null).catch(() => null) : null;
    const decision = broken ? { publish: true, reason: `replacing a broken CURRENT (${broken})` } : decidePublish(fingerprint, serving, lastPublished, config.force);
    record.decision = decision.reason;
    progress.info(`decision: ${decision.publish ? 'publish' : 'no new version'} (${decision.reason})`);
    if (!decision.publish) {
      record.status = 'unchanged';
      if (serving?.counts.rewarded_items !== undefined) record.counts = { ...record.counts, rewarded_items: serving.counts.rewarded_items };
    } else if (parts.impressions.length === 0 && catalog.items.length === 0) {
      throw new Error('nothing to learn from: no logs and no catalog (upload one with `slatecast catalog put items.ndjson`)');
    }
    return { parts, lake, catalog, fingerprint, decision };
  },
};
