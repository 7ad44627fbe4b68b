import { readFile } from 'node:fs/promises';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { fromUtf8 } from '../../shared/crypto/encoding.js';
import { sha256Hex } from '../../shared/crypto/hmac.js';
import type { CatalogItem } from '../../shared/schemas/catalog.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { UsageError } from '../config/errors.js';
import { catalogNdjson, parseCatalog } from './parse-catalog.js';

/** The catalog as the batch run sees it, with a checksum that tells whether it changed. */
export interface LoadedCatalog {
  items: CatalogItem[];
  sha256: string | null;
}

/**
 * Validates a local NDJSON file and uploads it to `catalog/items.ndjson` only if every line is
 * valid (nothing partial is ever uploaded).
 * @throws UsageError listing every bad line by number
 */
export async function putCatalog(store: ObjectStore, file: string): Promise<{ items: number; sha256: string }> {
  let text: string;
  try {
    text = fromUtf8(await readFile(file));
  } catch (e) {
    throw new UsageError(`cannot read catalog ${file}: ${(e as Error).message}`);
  }
  const parsed = parseCatalog(text);
  if (!parsed.ok) throw new UsageError(`catalog ${file} rejected, nothing uploaded:\n${parsed.errors.map((e) => `  line ${e.line}: ${e.message}`).join('\n')}`);
  if (parsed.items.length === 0) throw new UsageError(`catalog ${file} has no items, nothing uploaded`);
  const body = new TextEncoder().encode(catalogNdjson(parsed.items));
  await store.put(CATALOG_KEY, body, { contentType: 'application/x-ndjson' });
  return { items: parsed.items.length, sha256: await sha256Hex(body) };
}

/**
 * Reads the stored catalog. It was validated on upload; a line that fails now (edited by hand)
 * is skipped with a warning rather than failing the run, because the logs are still worth learning from.
 */
export async function loadCatalog(store: ObjectStore, warn: (m: string) => void): Promise<LoadedCatalog> {
  const o = await store.get(CATALOG_KEY);
  if (!o) return { items: [], sha256: null };
  const text = fromUtf8(o.body);
  const parsed = parseCatalog(text, Infinity);
  if (parsed.ok) return { items: parsed.items, sha256: await sha256Hex(o.body) };
  for (const e of parsed.errors.slice(0, 5)) warn(`${CATALOG_KEY} line ${e.line}: ${e.message} (skipped)`);
  const good = parseCatalog(text.split('\n').filter((_, i) => !parsed.errors.some((e) => e.line === i + 1)).join('\n'), Infinity);
  return { items: good.ok ? good.items : [], sha256: await sha256Hex(o.body) };
}
