import { hash32 } from '../../shared/rng.js';
import type { CatalogItem } from '../../shared/schemas/catalog.js';

/** Width of the hashed bag-of-words; collisions are tolerable at catalog vocabulary sizes. */
export const CONTENT_BUCKETS = 256;

/** Lower-cased word tokens of at least two characters (letters and digits of any script). */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
}

/**
 * Hashed bag-of-words of each item's catalog text and tags (the hashing trick: no vocabulary to
 * store or keep in step between runs). Tags count double (they are curated), counts are
 * log-dampened, and each row is L2-normalised so long descriptions do not dominate.
 * A signed hash halves the bias that collisions add to dot products.
 * @param items one per matrix row (undefined for items unknown to the catalog: zero row)
 * @returns row-major items.length × buckets
 */
export function contentFeatures(items: ReadonlyArray<CatalogItem | undefined>, buckets = CONTENT_BUCKETS): Float32Array {
  const x = new Float32Array(items.length * buckets);
  items.forEach((item, r) => {
    if (!item) return;
    const counts = new Map<string, number>();
    for (const t of tokens(`${item.title} ${item.text}`)) counts.set(`w:${t}`, (counts.get(`w:${t}`) ?? 0) + 1);
    for (const t of item.tags) counts.set(`t:${t.toLowerCase()}`, (counts.get(`t:${t.toLowerCase()}`) ?? 0) + 2);
    let norm = 0;
    const row = x.subarray(r * buckets, (r + 1) * buckets);
    for (const [f, c] of counts) {
      const h = hash32(f);
      const sign = (h & 0x80000000) !== 0 ? -1 : 1;
      row[h % buckets]! += sign * Math.log1p(c);
    }
    for (let j = 0; j < buckets; j++) norm += row[j]! * row[j]!;
    if (norm > 0) for (let j = 0; j < buckets; j++) row[j] = row[j]! / Math.sqrt(norm);
  });
  return x;
}
