import { publishVersion } from '../../../shared/artifact/publish.js';
import type { Manifest } from '../../../shared/schemas/artifact.js';
import { resultOf, type Step } from '../context.js';
import { servingOf } from './canary.js';
import { passed } from './gate.js';

/** 7. publish: the judged files as a new version, then the pointer swap (compare-and-swap). */
export const publishStep: Step<'publish'> = {
  name: 'publish',
  applies: passed,
  async run(ctx) {
    const { record, progress, now } = ctx;
    const { serving, named } = servingOf(ctx);
    const { fingerprint } = resultOf(ctx, 'ingest');
    const learned = resultOf(ctx, 'train');
    const candidate = resultOf(ctx, 'policy');
    const { files, verdict, canaryShare } = resultOf(ctx, 'gate');
    const draft = {
      version: candidate.version,
      created_at: now(),
      parent_version: serving?.version ?? null,
      shards: candidate.shards,
      item_count: learned.itemIds.length,
      dims: learned.params.dims,
      training: { ...learned.training, lake_fingerprint: fingerprint.lake, catalog_sha256: fingerprint.catalog, bootstrap: learned.bootstrap, run_id: ctx.runId, generation: candidate.generation },
      metrics: learned.metrics,
      counts: { ...record.counts, rewarded_items: learned.rewardedRows },
      gate: verdict ? { ...verdict } : null,
      ...(record.canary ? { canary: record.canary } : {}),
    } satisfies Omit<Manifest, 'files' | 'schema'>;
    const result = await publishVersion(ctx.store, draft, files, {
      reason: learned.bootstrap ? 'bootstrap' : canaryShare !== null ? `canary ${ctx.runId}` : `publish ${ctx.runId}`,
      ...(canaryShare !== null ? { canary: { share: canaryShare } } : {}),
      now: now(),
      // Compare-and-swap against what CURRENT names, which may be the broken version.
      expectedPrevious: named,
      onProgress: (d, n) => progress.bar('publish', d, n),
    });
    record.version = result.version;
    record.counts = draft.counts;
    record.status = canaryShare !== null ? 'canary' : 'published';
    if (canaryShare !== null) record.decision = `${result.version} serves ${Math.round(canaryShare * 100)}% of users as a canary beside ${serving?.version ?? '?'}; the next run promotes it or rolls it back`;
    progress.info(`published ${result.version}${canaryShare !== null ? ` as a canary (${Math.round(canaryShare * 100)}% of users)` : ''} (${(result.bytes / 1024).toFixed(0)} KiB, ${candidate.shards} shards)`);
    return result.version;
  },
};
