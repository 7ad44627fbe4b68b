import type { Watermark } from '../../../shared/schemas/artifact.js';
import { writeWatermark } from '../../ingest/watermark.js';
import { collectGarbage } from '../../publish/gc.js';
import { resultOf, type Step } from '../context.js';

/**
 * 8. watermark: last, after the pointer swap, and only when something was consumed or published,
 * so a crash anywhere before re-reads the same objects next time. Then old versions are
 * garbage-collected when this run published.
 */
export const watermarkStep: Step<'watermark'> = {
  name: 'watermark',
  async run(ctx) {
    const { store, record, config } = ctx;
    const listed = resultOf(ctx, 'list');
    const published = ctx.results.publish ?? null;
    if (listed.impressions.take.length > 0 || listed.events.take.length > 0 || published) {
      const next: Watermark = {
        schema: 'watermark/v1',
        impressions_after: listed.impressions.watermark,
        events_after: listed.events.watermark,
        updated_at: ctx.now(),
        version: published ?? listed.watermark.watermark?.version ?? listed.serving?.version ?? null,
      };
      await writeWatermark(store, next, listed.watermark);
      record.watermark = { impressions_after: next.impressions_after, events_after: next.events_after };
    }
    if (published) record.garbage_collected = await collectGarbage(store, config.keepVersions);
    return null;
  },
};
