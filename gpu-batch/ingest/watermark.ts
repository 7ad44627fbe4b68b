import { WATERMARK_KEY } from '../../shared/artifact/paths.js';
import { fromUtf8 } from '../../shared/crypto/encoding.js';
import { Watermark } from '../../shared/schemas/artifact.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/** The stored watermark with the ETag to compare-and-swap against, or nulls before the first run. */
export interface WatermarkState {
  watermark: Watermark | null;
  etag: string | null;
}

/**
 * @throws Error when the stored watermark is not valid (never guess where to resume)
 */
export async function readWatermark(store: ObjectStore): Promise<WatermarkState> {
  const o = await store.get(WATERMARK_KEY);
  if (!o) return { watermark: null, etag: null };
  const parsed = Watermark.safeParse(JSON.parse(fromUtf8(o.body)));
  if (!parsed.success) throw new Error(`${WATERMARK_KEY} is invalid: ${parsed.error.issues[0]?.message}; fix or delete it by hand`);
  return { watermark: parsed.data, etag: o.etag };
}

/**
 * Writes the watermark only if nobody else moved it since `previous` was read, so two batch runs
 * racing on one bucket cannot both advance it (the loser fails with PreconditionFailedError).
 */
export async function writeWatermark(store: ObjectStore, next: Watermark, previous: WatermarkState): Promise<void> {
  await store.put(WATERMARK_KEY, JSON.stringify(next), previous.etag ? { ifMatch: previous.etag, contentType: 'application/json' } : { ifNoneMatch: '*', contentType: 'application/json' });
}
