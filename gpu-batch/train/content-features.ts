import { hash32 } from '../../shared/rng.js';
import type { CatalogItem } from '../../shared/schemas/catalog.js';

/** Width of the hashed bag-of-words; collisions are tolerable at catalog vocabulary sizes. */
export const CONTENT_BUCKETS = 256;

/** Lower-cased word tokens of at least two characters (letters and digits of any script). */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
}

/**
 * How many items a token must occur in to be a feature. A token of one item only (a SKU, a
 * model number, the "#1234" of a title) says nothing about any other item; hashed into one of
 * `CONTENT_BUCKETS` buckets it only adds noise, shared with the unrelated items whose tokens land
 * in the same bucket (12,000 unique numbers in 256 buckets: about 47 items per bucket). Seen in the
 * world suite, where every title ends in the item's number: a user's content profile (the mean
 * text of what they clicked) was mostly the identity tokens of their few clicks; on the holdout
 * it predicted their repeat clicks on those items well enough to pass the likelihood-ratio test,
 * and in the ranking it lifted whatever shared the clicked items' buckets — known users' cached
 * lists, with the profile as their only personal term, were worth 0.82 (large catalog, round 2)
 * and 0.91 (pbm-deep, round 1) of the plain base-appeal list they re-ranked.
 */
export const MIN_ITEMS_PER_TOKEN = 2;

/**
 * Hashed bag-of-words of each item's catalog text and tags (the hashing trick: no vocabulary to
 * store or keep in step between runs), over the tokens that occur in at least
 * `MIN_ITEMS_PER_TOKEN` of the given items. Tags count double (they are curated), counts are
 * log-dampened, and each row is L2-normalised so long descriptions do not dominate (an item with
 * no shared token gets a zero row). A signed hash halves the bias that collisions add to dot
 * products.
 * @param items one per matrix row (undefined for items unknown to the catalog: zero row)
 * @returns row-major items.length × buckets
 */
export function contentFeatures(items: ReadonlyArray<CatalogItem | undefined>, buckets = CONTENT_BUCKETS): Float32Array {
  const bags = items.map((item) => {
    const counts = new Map<string, number>();
    if (!item) return counts;
    for (const t of tokens(`${item.title} ${item.text}`)) counts.set(`w:${t}`, (counts.get(`w:${t}`) ?? 0) + 1);
    for (const t of item.tags) counts.set(`t:${t.toLowerCase()}`, (counts.get(`t:${t.toLowerCase()}`) ?? 0) + 2);
    return counts;
  });
  const itemsWith = new Map<string, number>();
  for (const bag of bags) for (const f of bag.keys()) itemsWith.set(f, (itemsWith.get(f) ?? 0) + 1);
  const x = new Float32Array(items.length * buckets);
  bags.forEach((counts, r) => {
    let norm = 0;
    const row = x.subarray(r * buckets, (r + 1) * buckets);
    for (const [f, c] of counts) {
      if (itemsWith.get(f)! < MIN_ITEMS_PER_TOKEN) continue;
      const h = hash32(f);
      const sign = (h & 0x80000000) !== 0 ? -1 : 1;
      row[h % buckets]! += sign * Math.log1p(c);
    }
    for (let j = 0; j < buckets; j++) norm += row[j]! * row[j]!;
    if (norm > 0) for (let j = 0; j < buckets; j++) row[j] = row[j]! / Math.sqrt(norm);
  });
  return x;
}
